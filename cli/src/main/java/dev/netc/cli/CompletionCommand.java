package dev.netc.cli;

import java.util.concurrent.Callable;
import picocli.AutoComplete;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code netc completion bash|zsh}: a shell completion script. */
@Command(
    name = "completion",
    mixinStandardHelpOptions = true,
    description = {"Print a shell completion script.",
        "bash: source <(netc completion bash)   zsh: source <(netc completion zsh)"})
final class CompletionCommand implements Callable<Integer> {
  /** Shells with completion. */
  enum Shell {
    bash,
    zsh
  }

  private final Netc.Context ctx;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Parameters(index = "0", paramLabel = "SHELL", description = "${COMPLETION-CANDIDATES}")
  Shell shell;

  CompletionCommand(Netc.Context ctx) {
    this.ctx = ctx;
  }

  @Override
  public Integer call() {
    // picocli's script serves both: under zsh it loads bashcompinit itself.
    ctx.out().print(AutoComplete.bash("netc", spec.root().commandLine()));
    return 0;
  }
}
