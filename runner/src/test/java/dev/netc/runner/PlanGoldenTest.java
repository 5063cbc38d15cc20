package dev.netc.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import com.google.common.jimfs.Configuration;
import com.google.common.jimfs.Jimfs;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Golden plan outputs: the web shop planned for sandbox {@code demo} on a machine that has none
 * of it (a recorded kernel: {@code ip netns list} answers nothing), in every format, in {@code
 * golden-tests/markdown/plan/webshop-from-nothing/}: {@code plan.txt}, {@code plan.json}, {@code
 * plan.md}, and the drift {@code diff.txt}. Rendered twice, identical. A missing expectation is
 * written and the test fails; {@code -Dgolden.update=true} rewrites.
 */
class PlanGoldenTest {
  private static final Path DIR = Kernel.root().resolve("golden-tests/markdown/plan/webshop-from-nothing");

  private static Plan plan() throws IOException {
    try (FileSystem fs = Jimfs.newFileSystem(Configuration.unix())) {
      RecordingExecutor exec = new RecordingExecutor((argv, in) -> new CommandExecutor.Result(0, "", ""));
      Runner r = new Runner(exec, fs.getPath("/etc/netns"), fs.getPath("/run/netc"), Duration.ZERO);
      return r.plan(Kernel.target(Kernel.compile("examples/webshop.netc"), "demo"));
    }
  }

  @Test
  void webshopFromNothing() throws IOException {
    Plan a = plan();
    Plan b = plan();
    Map<String, String> actual = Map.of("plan.txt", a.text(), "plan.json", a.json(), "plan.md", a.markdown(),
        "diff.txt", new Drift(a).text());
    assertEquals(actual, Map.of("plan.txt", b.text(), "plan.json", b.json(), "plan.md", b.markdown(),
        "diff.txt", new Drift(b).text()), "deterministic");
    boolean update = Boolean.getBoolean("golden.update");
    StringBuilder missing = new StringBuilder();
    for (var e : new java.util.TreeMap<>(actual).entrySet()) {
      Path f = DIR.resolve(e.getKey());
      if (update || !Files.exists(f)) {
        Files.createDirectories(DIR);
        if (!Files.exists(f)) {
          missing.append(' ').append(f);
        }
        Files.writeString(f, e.getValue(), StandardCharsets.UTF_8);
      } else {
        assertEquals(Files.readString(f, StandardCharsets.UTF_8), e.getValue(), f.toString());
      }
    }
    if (missing.length() > 0) {
      fail("wrote missing expectations:" + missing);
    }
  }
}
