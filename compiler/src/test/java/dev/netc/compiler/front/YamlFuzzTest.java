package dev.netc.compiler.front;

import static org.junit.jupiter.api.Assertions.fail;

import dev.netc.compiler.Compiler;
import dev.netc.compiler.diag.Diagnostic;
import dev.netc.compiler.source.SourceFile;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The Kubernetes and Compose front ends survive broken YAML: the examples' manifests, each
 * mutated a few times at random places (a token of YAML's syntax inserted, a few characters
 * deleted), compile to diagnostics, never to an exception, and every diagnostic points into the
 * file. The seed is fixed; {@code -Dyamlfuzz.seed=N} and {@code -Dyamlfuzz.count=N} run others.
 * (LintFuzzTest mutates the {@code .netc} examples.)
 */
class YamlFuzzTest {
  private static final String[] TOKENS = {"{", "}", "[", "]", "\"", "'", "\t", "---\n", "--- ", ":", ": ", "- ",
      "&a ", "*a", "\n", "  ", "|\n", ">\n", "? ", "%YAML 1.2\n", "#", "${", "${X:?", "}}", "<<: *a\n", "!!int ", "\r\n",
      "...\n", "\u00e9", "\uFFFD"};

  private static String example(String... files) throws IOException {
    Path root = Path.of(System.getProperty("netc.root", "..")).resolve("examples");
    List<String> texts = new ArrayList<>();
    for (String f : files) {
      texts.add(Files.readString(root.resolve(f), StandardCharsets.UTF_8));
    }
    return String.join("---\n", texts);
  }

  @Test
  @Timeout(180)
  void brokenManifestsGiveDiagnosticsNeverAnException() throws IOException {
    List<String> bases = List.of(
        example("k8s/shop/namespaces.yaml", "k8s/shop/deployments.yaml", "k8s/shop/services.yaml", "k8s/shop/policies.yaml"),
        example("compose/webapp.yaml"));
    Random random = new Random(Long.getLong("yamlfuzz.seed", 20261124L));
    int count = Integer.getInteger("yamlfuzz.count", 1500);
    for (int i = 0; i < count; i++) {
      StringBuilder text = new StringBuilder(bases.get(i % bases.size()));
      int mutations = 1 + random.nextInt(5);
      for (int m = 0; m < mutations; m++) {
        int at = random.nextInt(text.length());
        if (random.nextBoolean()) {
          text.insert(at, TOKENS[random.nextInt(TOKENS.length)]);
        } else {
          text.delete(at, Math.min(text.length(), at + 1 + random.nextInt(6)));
        }
      }
      SourceFile file = new SourceFile("input.yaml", text.toString());
      List<Diagnostic> diags;
      try {
        diags = new Compiler().compile(Path.of("input.yaml"), file).diagnostics();
      } catch (RuntimeException | StackOverflowError e) {
        fail("input " + i + " (rerun with -Dyamlfuzz.seed and -Dyamlfuzz.count=" + (i + 1) + "): " + e
            + "\n--- input ---\n" + text, e);
        return;
      }
      for (Diagnostic d : diags) {
        if (d.span().start() < 0 || d.span().end() > text.length() || d.span().start() > d.span().end()) {
          fail("input " + i + ": " + d + " points outside the file\n--- input ---\n" + text);
        }
      }
    }
  }
}
