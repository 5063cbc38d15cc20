package dev.netc.cli;

import dev.netc.backends.report.DiagnosticReport;
import dev.netc.compiler.diag.Diagnostic;
import java.util.List;

/**
 * What stops a command before its work: the diagnostics of a topology that does not compile (or
 * whose kernel plan cannot be made), or a one-line error (a file that cannot be read, a bad
 * option). Their text form goes to stderr, for people; with {@code --format json} the document
 * {@code netc lint --format json} prints ({@code {"diagnostics": [...]}}) goes to stdout as well,
 * so that a program reading the command's JSON gets JSON whatever happens.
 */
final class Stopped {
  private Stopped() {}

  /** A command that prints JSON on stdout when asked to: its {@code --format json}, say. */
  interface Json {
    /** Whether this run was asked for JSON on stdout. */
    boolean json();
  }

  /** Prints {@code diagnostics}, of a topology of {@code files} files, as above. */
  static void print(Netc.Context ctx, List<Diagnostic> diagnostics, int files, boolean json) {
    ctx.err().print(DiagnosticReport.text(diagnostics, files, ctx.terminal().color()));
    if (json) {
      ctx.out().print(DiagnosticReport.json(diagnostics));
    }
  }

  /**
   * Prints {@code failure} as above: {@code netc: LINE} on stderr ({@code line}: the message, and
   * its hint if any, as people read them), and with {@code json} the document on stdout.
   */
  static void print(Netc.Context ctx, DiagnosticReport.Failure failure, String line, boolean json) {
    ctx.err().println("netc: " + line);
    if (json) {
      ctx.out().print(DiagnosticReport.json(List.of(failure), List.of()));
    }
  }

  /**
   * Whether {@code args}, a command line that does not parse, ask for JSON on stdout: {@code
   * --format json} (or {@code --format=json}, any case) before a {@code --}, or {@code --backend
   * json} without {@code --out} ({@code emit}).
   */
  static boolean asksForJson(String[] args) {
    boolean backendJson = false;
    boolean out = false;
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      if (a.equals("--")) {
        break;
      }
      String next = i + 1 < args.length ? args[i + 1] : "";
      if (a.equalsIgnoreCase("--format=json") || a.equals("--format") && next.equalsIgnoreCase("json")) {
        return true;
      }
      backendJson |= a.equalsIgnoreCase("--backend=json") || a.equals("--backend") && next.equalsIgnoreCase("json");
      out |= a.equals("--out") || a.startsWith("--out=");
    }
    return backendJson && !out;
  }
}
