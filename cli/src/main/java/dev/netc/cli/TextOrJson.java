package dev.netc.cli;

import picocli.CommandLine.Option;

/** The {@code --format text|json} option of the commands that print a report or its JSON (diff, verify). */
final class TextOrJson {
  /** How the result is printed. */
  enum Format { TEXT, JSON }

  @Option(names = "--format", defaultValue = "text", paramLabel = "FORMAT",
      completionCandidates = FormatNames.class,
      description = "Output: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
  Format format;

  /** Whether JSON was asked for. */
  boolean json() {
    return format == Format.JSON;
  }

  /** The formats as users write them. */
  static final class FormatNames extends EnumNames<Format> {
    FormatNames() {
      super(Format.class);
    }
  }
}
