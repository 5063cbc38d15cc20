package dev.netc.backends;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.google.common.jimfs.Configuration;
import com.google.common.jimfs.Jimfs;
import dev.netc.backends.report.DiagnosticReport;
import dev.netc.backends.report.ReviewReport;
import dev.netc.compiler.CompileResult;
import dev.netc.compiler.Compiler;
import dev.netc.compiler.model.Reachability;
import dev.netc.compiler.model.ReachabilityDelta;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Golden tests of the pull-request formats. {@code golden-tests/markdown/lint/CASE/} holds
 * {@code lint.netc} (or {@code lint.yaml}) and {@code lint.md}, what {@code netc lint --format
 * markdown} prints for it. {@code golden-tests/markdown/review/CASE/} holds {@code base.*} and
 * {@code head.*}, two versions of one topology (each compiled as {@code shop.netc} or {@code
 * shop.yaml}), and what {@code netc review} prints for them: {@code review.txt}, {@code
 * review.md}, {@code review.json}. Every format is rendered twice and must come out identical. A
 * missing expectation is written and the test fails; {@code -Dgolden.update=true} rewrites.
 */
class MarkdownGoldenTest {
  private static final Path DIR = GoldenTest.GOLDEN.resolve("markdown");

  @TestFactory
  Stream<DynamicTest> lint() throws IOException {
    return cases("lint").map(dir -> DynamicTest.dynamicTest(dir.getFileName().toString(), () -> {
      Path input = input(dir, "lint");
      Map<String, String> actual = new LinkedHashMap<>();
      for (int i = 0; i < 2; i++) {
        try (FileSystem fs = fs(input, input.getFileName().toString())) {
          CompileResult r = new Compiler().compile(fs.getPath(input.getFileName().toString()));
          String md = DiagnosticReport.render(DiagnosticReport.Format.MARKDOWN, r.diagnostics(),
              r.sources().size(), false, "test");
          assertTrue(actual.putIfAbsent("lint.md", md) == null || actual.get("lint.md").equals(md));
        }
      }
      check(dir, actual);
    }));
  }

  @TestFactory
  Stream<DynamicTest> review() throws IOException {
    return cases("review").map(dir -> DynamicTest.dynamicTest(dir.getFileName().toString(), () -> {
      Map<String, String> actual = new LinkedHashMap<>();
      for (int i = 0; i < 2; i++) {
        ReachabilityDelta delta = ReachabilityDelta.compute(model(input(dir, "base")),
            model(input(dir, "head")), Function.identity());
        String ext = input(dir, "head").getFileName().toString().replaceAll("^head", "");
        List<ReviewReport.FileDelta> files = List.of(new ReviewReport.FileDelta("shop" + ext, ReviewReport.Status.MODIFIED, delta));
        for (var f : List.of(ReviewReport.Format.TEXT, ReviewReport.Format.MARKDOWN, ReviewReport.Format.JSON)) {
          String name = "review." + switch (f) {
            case TEXT -> "txt";
            case MARKDOWN -> "md";
            case JSON -> "json";
          };
          String out = ReviewReport.render(f, "main", files);
          String before = actual.putIfAbsent(name, out);
          assertTrue(before == null || before.equals(out), name + " is not deterministic");
        }
      }
      check(dir, actual);
    }));
  }

  private static Reachability model(Path input) throws IOException {
    String name = "shop" + input.getFileName().toString().replaceAll("^(base|head)", "");
    try (FileSystem fs = fs(input, name)) {
      CompileResult r = new Compiler().compile(fs.getPath(name));
      if (r.topology().isEmpty()) {
        fail(input + " does not compile: " + r.diagnostics());
      }
      return new Reachability(r.topology().get());
    }
  }

  private static FileSystem fs(Path input, String name) throws IOException {
    FileSystem fs = Jimfs.newFileSystem(Configuration.unix().toBuilder().setWorkingDirectory("/case").build());
    Files.createDirectories(fs.getPath("/case"));
    Files.writeString(fs.getPath(name), Files.readString(input, StandardCharsets.UTF_8), StandardCharsets.UTF_8);
    return fs;
  }

  private static Path input(Path dir, String stem) throws IOException {
    for (String ext : List.of(".netc", ".yaml")) {
      if (Files.exists(dir.resolve(stem + ext))) {
        return dir.resolve(stem + ext);
      }
    }
    throw new IOException("no " + stem + ".netc or " + stem + ".yaml in " + dir);
  }

  private static Stream<Path> cases(String kind) throws IOException {
    try (Stream<Path> s = Files.list(DIR.resolve(kind))) {
      return s.filter(Files::isDirectory).sorted().toList().stream();
    }
  }

  private static void check(Path dir, Map<String, String> actual) throws IOException {
    List<String> problems = new ArrayList<>();
    for (var e : actual.entrySet()) {
      Path expected = dir.resolve(e.getKey());
      if (!Files.exists(expected)) {
        Files.writeString(expected, e.getValue(), StandardCharsets.UTF_8);
        problems.add("wrote missing expectation " + expected);
        continue;
      }
      String want = Files.readString(expected, StandardCharsets.UTF_8);
      if (!want.equals(e.getValue())) {
        if (GoldenTest.UPDATE) {
          Files.writeString(expected, e.getValue(), StandardCharsets.UTF_8);
          problems.add("updated " + expected + " (review the diff)");
        } else {
          assertEquals(want, e.getValue(), expected + " differs (rerun with -Dgolden.update=true)");
        }
      }
    }
    if (!problems.isEmpty()) {
      fail(String.join("\n", problems));
    }
  }
}
