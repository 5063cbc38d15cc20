package dev.netc.compiler.lower;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.netc.compiler.Compiler;
import dev.netc.compiler.diag.Code;
import dev.netc.compiler.diag.Diagnostic;
import dev.netc.compiler.source.SourceFile;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Unknown references among many declared names (a generated file gone wrong): each is told, the
 * first with the name it likely meant, and once the "did you mean" has compared {@link
 * Resolver#SPELLING_BUDGET} names in all, with the names declared instead; so such a file costs a
 * bounded search, not one over every name for every reference.
 */
class UnknownReferencesTest {
  @Test
  void manyUnknownNetworksAmongManyNamesFallBackToTheDeclaredList() {
    int n = 6_000; // 6,000 names a reference: the budget lasts some 666 references (1,000 are told)
    StringBuilder text = new StringBuilder();
    for (int i = 0; i < n; i++) {
      text.append("network n").append(i).append(" { subnet 10.").append(i / 256).append('.').append(i % 256)
          .append(".0/24 }\ncontainer c").append(i).append(" { attach m").append(i).append(" }\n");
    }
    List<Diagnostic> unknown = new Compiler().compile(Path.of("gen.netc"), new SourceFile("gen.netc", text.toString()))
        .diagnostics().stream().filter(d -> d.code() == Code.NETC101).toList();
    assertTrue(unknown.size() > Resolver.SPELLING_BUDGET / n + 10, "every reference is told: " + unknown.size());
    assertEquals("unknown network `m0`", unknown.get(0).message());
    assertEquals("did you mean `n0`?", unknown.get(0).hint().orElseThrow());
    Diagnostic last = unknown.get(unknown.size() - 1);
    assertEquals("declared: `n0`, `n1`, `n10`, `n100`, `n1000`, `n1001`, `n1002`, `n1003`, `n1004`, `n1005`",
        last.hint().orElseThrow());
  }
}
