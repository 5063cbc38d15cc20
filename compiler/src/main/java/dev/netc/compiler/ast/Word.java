package dev.netc.compiler.ast;

import dev.netc.compiler.source.Span;

/** A name or value as written, with quotes removed from strings, and where it stands. */
public record Word(String text, Span span) {}
