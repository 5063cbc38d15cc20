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
    int status = Netc.run(args, new Netc.Context(FileSystems.getDefault(), out, err, terminal));
    out.flush();
    err.flush();
    System.exit(status);
  }
}
