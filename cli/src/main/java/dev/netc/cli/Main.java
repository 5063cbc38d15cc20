package dev.netc.cli;

import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;

/** The {@code netc} executable: runs the command line and exits with its status. */
public final class Main {
  private Main() {}

  public static void main(String[] args) {
    PrintWriter out = new PrintWriter(new java.io.OutputStreamWriter(System.out, StandardCharsets.UTF_8), true);
    PrintWriter err = new PrintWriter(new java.io.OutputStreamWriter(System.err, StandardCharsets.UTF_8), true);
    Terminal terminal = Terminal.detect();
    int status;
    Interrupts.heldToTheEnd = true; // (the process ends with the command)
    try {
      status = Netc.run(args, new Netc.Context(FileSystems.getDefault(), out, err, terminal));
    } catch (OutOfMemoryError e) {
      // what held the memory is unreachable by now: one line, no stack trace
      err.println("netc: out of memory (" + Runtime.getRuntime().maxMemory() / (1 << 20) + " MiB of heap): the input is"
          + " too large for it; give the JVM more with JAVA_TOOL_OPTIONS=-Xmx8g, or split the topology");
      status = 1;
    }
    out.flush();
    err.flush();
    System.exit(status);
  }
}
