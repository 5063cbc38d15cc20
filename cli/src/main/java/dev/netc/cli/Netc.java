package dev.netc.cli;

import dev.netc.backends.report.DiagnosticReport.Failure;
import dev.netc.compiler.front.Frontend;
import dev.netc.compiler.front.Frontends;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.FileSystem;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The root command. Exit statuses (every command): 0 success, 1 an error in the input or on the
 * command line, 2 "changes" or "drift" where a command documents it, 3 "denied" for explain.
 * No stack trace reaches the user unless {@code --debug} is given.
 */
@Command(
    name = "netc",
    mixinStandardHelpOptions = true,
    versionProvider = Netc.Version.class,
    sortOptions = false,
    usageHelpAutoWidth = true,
    description = "Compile declarative container network topologies into kernel state.",
    exitCodeListHeading = "%nExit status:%n",
    exitCodeList = {
      "0:success", "1:errors in the input, or a bad command line",
      "2:changes or drift (commands that say so)", "3:denied (explain)",
      "130, 143:interrupted (SIGINT, SIGTERM; apply: rolled back)"
    })
public final class Netc implements Runnable {
  /**
   * The commands, in the order help lists them ({@link #commandLine} adds them: picocli reads a
   * command's annotations, fields and methods when it is added, some 6 ms each in a JVM that has
   * just started, so a run builds only the command it runs).
   */
  static final List<Class<?>> COMMANDS = List.of(
      LintCommand.class,
      FmtCommand.class,
      EmitCommand.class,
      PlanCommand.class,
      DiffCommand.class,
      ApplyCommand.class,
      DestroyCommand.class,
      ExecCommand.class,
      ProbeCommand.class,
      VerifyCommand.class,
      ImportCommand.class,
      LockCommand.class,
      MatrixCommand.class,
      ExplainCommand.class,
      ReviewCommand.class,
      CompletionCommand.class,
      CommandLine.HelpCommand.class);

  /**
   * Where a run reads files and prints: the real machine, or a test's jimfs and buffers; and the
   * foreign front ends {@code netc import} chooses from ({@link Frontends#ALL}, or a test's own).
   */
  public record Context(FileSystem fs, PrintWriter out, PrintWriter err, Terminal terminal,
      List<Frontend> frontends) {
    public Context {
      frontends = List.copyOf(frontends);
    }

    public Context(FileSystem fs, PrintWriter out, PrintWriter err, Terminal terminal) {
      this(fs, out, err, terminal, Frontends.ALL);
    }
  }

  @Option(names = "--debug", description = "Show stack traces of internal errors.", scope = CommandLine.ScopeType.INHERIT)
  boolean debug;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  final Context context;

  Netc(Context context) {
    this.context = context;
  }

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "a command is required");
  }

  /** Runs {@code args} and returns the exit status. */
  public static int run(String[] args, Context ctx) {
    CommandLine cl = commandLine(ctx, java.util.Arrays.asList(args).contains("--debug"), named(args));
    try {
      return cl.execute(args);
    } finally {
      ctx.out().flush();
      ctx.err().flush();
    }
  }

  /**
   * The command line of a run, every command made with {@code ctx}: its colours, its converters,
   * and its handlers, which make every error one line ({@code debug} or {@code --debug} adds the
   * stack trace of an internal one).
   */
  static CommandLine commandLine(Context ctx, boolean debug) {
    return commandLine(ctx, debug, COMMANDS);
  }

  /**
   * The command that {@code args} run, when they name one that needs no other: the first word
   * that is not an option (the root's options are all flags), one of {@link #COMMANDS} but
   * {@code help} and {@code completion}, which read every command. Otherwise all of them (no
   * command, an unknown one, whose error suggests the nearest, or an argument file).
   */
  static List<Class<?>> named(String[] args) {
    if (Boolean.getBoolean("netc.allCommands")) {
      return COMMANDS; // the run that trains `./netc`'s class-data archive: every command's classes
    }
    for (String a : args) {
      if (a.startsWith("-")) {
        if (a.equals("--")) {
          break;
        }
        continue;
      }
      for (Class<?> c : COMMANDS) {
        Command command = c.getAnnotation(Command.class);
        if (command.name().equals(a) && !a.equals("help") && !a.equals("completion")) {
          return List.of(c);
        }
      }
      break;
    }
    return COMMANDS;
  }

  /** The command line with {@code commands} (a subset of {@link #COMMANDS}, in its order). */
  static CommandLine commandLine(Context ctx, boolean debug, List<Class<?>> commands) {
    Netc root = new Netc(ctx);
    CommandLine cl = new CommandLine(root, new Factory(ctx));
    commands.forEach(cl::addSubcommand);
    cl.setOut(ctx.out());
    cl.setErr(ctx.err());
    cl.setColorScheme(CommandLine.Help.defaultColorScheme(
        ctx.terminal().color() ? CommandLine.Help.Ansi.ON : CommandLine.Help.Ansi.OFF));
    EnumNames.register(cl); // any case is taken; a bad value is told the values as the help lists them
    // Subcommands have --version too (standard help options); they print the root's version.
    cl.getSubcommands().values().forEach(
        sub -> sub.getCommandSpec().versionProvider(new Version()));
    // Every error is one line on stderr; a run asked for JSON gets it on stdout as well (Stopped).
    cl.setParameterExceptionHandler((ex0, a) -> {
      // `netc -x lint`, `netc lint --frmat`: picocli tells the missing FILE first; the word it
      // did not know is the mistake to tell (and the FILE may have been taken for its value)
      CommandLine.ParameterException ex = unknownFirst(ex0);
      // the command line does not parse, so what it asks for is read from its words
      String hint = "try `" + ex.getCommandLine().getCommandSpec().qualifiedName() + " --help`";
      String message = ex.getMessage() + suggestion(ex);
      Stopped.print(ctx, new Failure(Failure.Kind.USAGE, message, Optional.of(hint)),
          message + " (" + hint + ")", Stopped.asksForJson(a));
      return 1;
    });
    cl.setExecutionExceptionHandler((ex, c, parsed) -> {
      boolean json = c.getCommand() instanceof Stopped.Json j && j.json();
      if (ex instanceof UserError ue) {
        Stopped.print(ctx, new Failure(Failure.Kind.FAILED, ue.getMessage()), ue.getMessage(), json);
        return ue.status();
      }
      String hint = "rerun with --debug for details";
      Stopped.print(ctx, new Failure(Failure.Kind.INTERNAL, "internal error: " + ex, Optional.of(hint)),
          "internal error: " + ex + " (" + hint + ")", json);
      if (root.debug || debug) {
        ex.printStackTrace(ctx.err());
      }
      return 1;
    });
    return cl;
  }

  /**
   * For a missing parameter, the words of the same command line that no command knew, when
   * there are any (the innermost command's, else its parents'); else the error itself.
   */
  private static CommandLine.ParameterException unknownFirst(CommandLine.ParameterException ex) {
    if (!(ex instanceof CommandLine.MissingParameterException)) {
      return ex;
    }
    for (CommandLine c = ex.getCommandLine(); c != null; c = c.getParent()) {
      List<String> unmatched = c.getUnmatchedArguments();
      if (!unmatched.isEmpty()) {
        return new CommandLine.UnmatchedArgumentException(c, unmatched);
      }
    }
    return ex;
  }

  /**
   * For a misspelt option or command ({@code --sandobx}, {@code plna}), the one meant: {@code ;
   * did you mean `--sandbox`?} (the closest of picocli's suggestions, when it is close); else empty.
   */
  private static String suggestion(CommandLine.ParameterException ex) {
    if (!(ex instanceof CommandLine.UnmatchedArgumentException u) || u.getUnmatched().isEmpty()) {
      return "";
    }
    String typed = u.getUnmatched().get(0).split("=", 2)[0];
    // picocli suggests far-off names too (`probe` for `frobnicate`): netc's own spelling distance decides
    return dev.netc.compiler.diag.Spelling.suggest(typed, u.getSuggestions()).map(m -> "; did you mean `" + m + "`?")
        .orElse("");
  }

  /** Creates command objects with the run's context. */
  private record Factory(Context ctx) implements CommandLine.IFactory {
    @Override
    public <K> K create(Class<K> cls) throws Exception {
      try {
        return cls.getDeclaredConstructor(Context.class).newInstance(ctx);
      } catch (NoSuchMethodException e) {
        return CommandLine.defaultFactory().create(cls);
      }
    }
  }

  /** A problem the user can fix, reported as one line (the command line, a file that is missing). */
  static final class UserError extends RuntimeException {
    private final int status;
    private final Optional<String> file;

    UserError(String message) {
      this(message, 1);
    }

    /** With another exit status than 1 (130: interrupted). */
    UserError(String message, int status) {
      this(message, status, Optional.empty());
    }

    private UserError(String message, int status, Optional<String> file) {
      super(message, null, false, false);
      this.status = status;
      this.file = file;
    }

    /** A file that cannot be read, as the command line names it: the message is about it. */
    static UserError unreadable(String file, String message) {
      return new UserError(message, 1, Optional.of(file));
    }

    int status() {
      return status;
    }

    /** The file the error is about, when it is about one that cannot be read. */
    Optional<String> file() {
      return file;
    }
  }

  /** The version from the build. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      return new String[] {"netc " + version()};
    }
  }

  static String version() {
    try (InputStream in = Netc.class.getResourceAsStream("version.properties")) {
      Properties p = new Properties();
      if (in != null) {
        p.load(in);
      }
      return p.getProperty("version", "unknown");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
