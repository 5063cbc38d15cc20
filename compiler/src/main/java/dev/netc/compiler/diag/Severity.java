package dev.netc.compiler.diag;

/** How bad a diagnostic is: errors stop backends and fail lint; warnings and notes do not. */
public enum Severity {
  ERROR("error"),
  WARNING("warning"),
  NOTE("note");

  private final String label;

  Severity(String label) {
    this.label = label;
  }

  /** The lower-case word used in every rendering ({@code error}, {@code warning}, {@code note}). */
  public String label() {
    return label;
  }
}
