package dev.netc.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The README's quick start and its "Run it for real" block, run as written (in-process, with the
 * sandbox {@code demo} renamed to a fresh one): every command exits 0, and where its comment
 * quotes what it prints ({@code "No changes"}), it prints that. The sandbox is removed in
 * {@code finally}.
 */
@Timeout(180)
class ReadmeKernelTest {
  private static final Pattern QUOTED = Pattern.compile("\"([^\"]+?)(?: \\.\\.\\.)?\"");

  /** The {@code ./netc} lines of the first sh block after {@code heading}. */
  static List<String> commands(String readme, String heading) {
    int h = readme.indexOf(heading);
    assertTrue(h >= 0, "README has " + heading);
    int start = readme.indexOf("```sh\n", h) + 6;
    int end = readme.indexOf("```", start);
    List<String> out = new ArrayList<>();
    for (String line : readme.substring(start, end).split("\n")) {
      if (line.startsWith("./netc ")) {
        out.add(line);
      }
    }
    return out;
  }

  @Test
  void theQuickStartPlansTheWebShop() throws IOException {
    String readme = Files.readString(DiffKernelTest.ROOT.resolve("README.md"), StandardCharsets.UTF_8);
    List<String> quick = commands(readme, "## Quick start");
    assertEquals(1, quick.size(), "one netc command, then scripts/test: " + quick);
    assertTrue(quick.get(0).startsWith("./netc plan examples/webshop.netc "), quick.get(0));
    assertTrue(readme.substring(readme.indexOf("## Quick start")).contains("\nscripts/test "), "the test command");
    // the command itself needs no root and no sandbox; it reads the host and changes nothing
    CliRunner cli = new CliRunner();
    cli.write("examples/webshop.netc", Files.readString(DiffKernelTest.ROOT.resolve("examples/webshop.netc")));
    CliRunner.Result r = cli.run(args(quick.get(0), null));
    assertEquals(0, r.status(), r.err());
    assertTrue(r.out().contains("\n+ table:(host):inet netc_webshop\n"), r.out());
    assertTrue(r.out().matches("(?s).*\nPlan: \\d+ to create, \\d+ to update, \\d+ to replace, \\d+ to delete\\.\n"),
        r.out());
  }

  @Test
  void theSandboxBlockRunsAsWritten() throws Exception {
    DiffKernelTest.assumeKernel();
    String readme = Files.readString(DiffKernelTest.ROOT.resolve("README.md"), StandardCharsets.UTF_8);
    List<String> block = commands(readme, "## Run it for real, in a sandbox");
    List<String> verbs = block.stream().map(l -> l.split("\\s+")[1]).toList();
    assertEquals(List.of("apply", "apply", "verify", "exec", "destroy"), verbs, "the README shows these");
    String s = String.format("nr%06x", new SecureRandom().nextInt(1 << 24));
    CliRunner cli = new CliRunner();
    cli.write("examples/webshop.netc", Files.readString(DiffKernelTest.ROOT.resolve("examples/webshop.netc")));
    try {
      for (String line : block) {
        CliRunner.Result r = cli.run(args(line, s));
        assertEquals(0, r.status(), line + "\n" + r.out() + r.err());
        String comment = line.contains("#") ? line.substring(line.indexOf('#')) : "";
        Matcher m = QUOTED.matcher(comment);
        while (m.find()) {
          assertTrue(r.out().contains(m.group(1).replace("demo", s)), line + " prints " + m.group(1) + ":\n" + r.out());
        }
      }
      assertFalse(DiffKernelTest.output("ip", "netns", "list").lines().anyMatch(l -> l.startsWith(s)),
          "destroy leaves no namespace of the sandbox");
    } finally {
      DiffKernelTest.removeSandbox(s);
    }
  }

  /** The arguments of a README line: without {@code ./netc} and the comment, {@code demo} renamed. */
  private static String[] args(String line, String sandbox) {
    String command = line.contains("#") ? line.substring(0, line.indexOf('#')) : line;
    List<String> words = new ArrayList<>(Arrays.asList(command.trim().split("\\s+")));
    words.remove(0);
    if (sandbox != null) {
      words.replaceAll(w -> w.equals("demo") ? sandbox : w);
    }
    return words.toArray(String[]::new);
  }
}
