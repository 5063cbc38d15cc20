package dev.netc.compiler.diag;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The "did you mean" of {@link Spelling}: the distance with its early exit agrees with the plain
 * optimal-string-alignment distance wherever it is within the cap (and exceeds the cap otherwise),
 * and suggestions are those the closest candidate gives.
 */
class SpellingTest {
  /** The plain dynamic programme, for comparison. */
  private static int plain(String a, String b) {
    int[][] d = new int[a.length() + 1][b.length() + 1];
    for (int i = 0; i <= a.length(); i++) {
      d[i][0] = i;
    }
    for (int j = 0; j <= b.length(); j++) {
      d[0][j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      for (int j = 1; j <= b.length(); j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        int v = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
        if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
          v = Math.min(v, d[i - 2][j - 2] + 1);
        }
        d[i][j] = v;
      }
    }
    return d[a.length()][b.length()];
  }

  private static String word(Random r) {
    StringBuilder b = new StringBuilder();
    int n = r.nextInt(9);
    for (int i = 0; i < n; i++) {
      b.append("abcd-1".charAt(r.nextInt(6)));
    }
    return b.toString();
  }

  @Test
  void theCappedDistanceIsThePlainOneWithinTheCap() {
    Random r = new Random(42);
    for (int k = 0; k < 200_000; k++) {
      String a = word(r);
      String b = word(r);
      int cap = r.nextInt(5);
      int want = plain(a, b);
      int got = Spelling.distance(a, b, cap);
      if (want <= cap) {
        assertEquals(want, got, a + " / " + b + " cap " + cap);
      } else {
        assertEquals(true, got > cap, a + " / " + b + " cap " + cap + ": " + got);
      }
    }
  }

  @Test
  void theClosestCandidateIsSuggestedWhenItIsALikelyTypo() {
    assertEquals(Optional.of("frontend"), Spelling.suggest("frontnd", List.of("backend", "frontend", "front-end2")));
    assertEquals(Optional.of("api"), Spelling.suggest("apu", List.of("api", "app", "db")));
    assertEquals(Optional.of("web"), Spelling.suggest("ewb", List.of("web", "db")));
    assertEquals(Optional.empty(), Spelling.suggest("payments", List.of("web", "db", "cache")));
    assertEquals(Optional.empty(), Spelling.suggest("x", List.of("x")));
    // among many names, the same answer as one by one
    List<String> many = new ArrayList<>();
    for (int i = 0; i < 5000; i++) {
      many.add("n" + i);
    }
    many.add("backend");
    assertEquals(Optional.of("backend"), Spelling.suggest("bakcend", many));
    assertEquals(Optional.of("n4999"), Spelling.suggest("n4999x", many));
    // a tie goes to the name that sorts first
    assertEquals(Optional.of("n1043"), Spelling.suggest("n1243", many));
  }
}
