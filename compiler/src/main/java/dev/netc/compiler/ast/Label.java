package dev.netc.compiler.ast;

import dev.netc.compiler.source.Span;

/** A {@code key=value} label. */
public record Label(Word key, Word value, Span span) {}
