package dev.netc.cli;

import picocli.CommandLine.Option;

/** The {@code -q} and {@code -v} options every command shares. */
final class Verbosity {
  @Option(names = {"-q", "--quiet"}, description = "Print only problems; no summary.")
  boolean quiet;

  @Option(names = {"-v", "--verbose"}, description = "Print what is done, with timings, on stderr.")
  boolean verbose;
}
