package dev.netc.compiler.parse;

import dev.netc.compiler.source.Span;

/**
 * A {@code #} comment. {@code trailing} is true when code precedes it on its line; {@code
 * text} includes the {@code #}.
 */
public record Comment(String text, Span span, boolean trailing) {}
