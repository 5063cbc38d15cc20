package dev.netc.compiler.diag;

import java.util.Collection;
import java.util.Optional;

/** "Did you mean ...?" suggestions for names that do not resolve, by edit distance. */
public final class Spelling {
  private Spelling() {}

  /**
   * The candidate closest to {@code word}, if it is close enough to be a likely typo: at most one
   * edit for short words, at most a third of the length for longer ones.
   */
  public static Optional<String> suggest(String word, Collection<String> candidates) {
    String best = null;
    // no farther candidate can be taken (the limit below is at most this), so none is measured
    // past it: a file with thousands of unknown names among thousands of declared ones stays fast
    int bestDistance = Math.max(1, word.length() / 3) + 1;
    for (String c : candidates) {
      if (c.equals(word)) {
        continue;
      }
      int d = distance(word, c, bestDistance);
      if (d < bestDistance || (d == bestDistance && best != null && c.compareTo(best) < 0)) {
        bestDistance = d;
        best = c;
      }
    }
    int limit = Math.max(1, Math.min(word.length(), best == null ? 0 : best.length()) / 3);
    return best != null && bestDistance <= limit ? Optional.of(best) : Optional.empty();
  }

  /**
   * Optimal-string-alignment distance (a swap of two neighbours counts as one edit); {@link
   * Integer#MAX_VALUE} once it is sure to exceed {@code cap} (a row's least value above it: the
   * rows that follow only grow).
   */
  static int distance(String a, String b, int cap) {
    if (Math.abs(a.length() - b.length()) > cap || a.length() > 200 || b.length() > 200) {
      return Integer.MAX_VALUE;
    }
    int n = b.length();
    int[] before = new int[n + 1]; // row i - 2
    int[] last = new int[n + 1]; // row i - 1
    int[] row = new int[n + 1];
    for (int j = 0; j <= n; j++) {
      last[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      row[0] = i;
      int least = i;
      for (int j = 1; j <= n; j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        int v = Math.min(Math.min(last[j] + 1, row[j - 1] + 1), last[j - 1] + cost);
        if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2)
            && a.charAt(i - 2) == b.charAt(j - 1)) {
          v = Math.min(v, before[j - 2] + 1);
        }
        row[j] = v;
        least = Math.min(least, v);
      }
      if (least > cap) {
        return Integer.MAX_VALUE;
      }
      int[] t = before;
      before = last;
      last = row;
      row = t;
    }
    return last[n];
  }
}
