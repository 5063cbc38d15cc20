package dev.netc.compiler.ast;

import dev.netc.compiler.ir.Requirement;
import dev.netc.compiler.source.Span;
import java.util.List;

/** A selector as written: {@code all}, or requirements that must all hold. */
public record SelectorAst(boolean all, List<Req> requirements, Span span) {
  public SelectorAst {
    requirements = List.copyOf(requirements);
  }

  /** One requirement: {@code key=v}, {@code key!=v}, {@code key in (a, b)}, {@code key}, ... */
  public record Req(Word key, Requirement.Operator operator, List<Word> values, Span span) {
    public Req {
      values = List.copyOf(values);
    }
  }
}
