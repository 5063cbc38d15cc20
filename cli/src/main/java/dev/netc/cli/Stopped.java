package dev.netc.cli;

import dev.netc.backends.report.DiagnosticReport;
import dev.netc.compiler.diag.Diagnostic;
import java.util.List;

/**
 * The diagnostics that stop a command before its work (the topology does not compile, or its
 * kernel plan cannot be made): their text form on stderr, for people, and with {@code --format
 * json} also the document {@code netc lint --format json} prints ({@code {"diagnostics": [...]}})
 * on stdout, so that a program reading the command's JSON gets JSON whatever happens.
 */
final class Stopped {
  private Stopped() {}

  /** Prints {@code diagnostics}, of a topology of {@code files} files, as above. */
  static void print(Netc.Context ctx, List<Diagnostic> diagnostics, int files, boolean json) {
    ctx.err().print(DiagnosticReport.text(diagnostics, files, ctx.terminal().color()));
    if (json) {
      ctx.out().print(DiagnosticReport.json(diagnostics));
    }
  }
}
