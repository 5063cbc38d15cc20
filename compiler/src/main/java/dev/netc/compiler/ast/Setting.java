package dev.netc.compiler.ast;

import dev.netc.compiler.source.Span;
import java.util.List;

/** A statement of the form {@code keyword value...}, such as {@code subnet 10.0.0.0/24}. */
public record Setting(Word keyword, List<Word> values, Span span) {
  public Setting {
    values = List.copyOf(values);
  }

  public Word first() {
    return values.get(0);
  }
}
