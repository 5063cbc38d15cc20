package dev.netc.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.PrintWriter;
import java.io.StringWriter;
import com.google.common.jimfs.Jimfs;
import org.junit.jupiter.api.Test;

/** Progress of probe and verify: on a terminal only, rewritten in place, cleared at the end. */
class ProgressLineTest {
  private static String run(Terminal terminal) {
    StringWriter err = new StringWriter();
    Netc.Context ctx = new Netc.Context(Jimfs.newFileSystem(), new PrintWriter(new StringWriter()),
        new PrintWriter(err), terminal);
    try (ProgressLine p = new ProgressLine(ctx, "probing")) {
      p.update(0, 10);
      p.update(3, 10); // within 100 ms of the last: not shown
      p.update(10, 10); // the end is always shown
    }
    return err.toString();
  }

  @Test
  void onATerminalOnly() {
    assertEquals("\rprobing: 0 of 10 connections\rprobing: 10 of 10 connections\r\033[K", run(new Terminal(true, false)));
    assertEquals("", run(Terminal.NONE));
  }
}
