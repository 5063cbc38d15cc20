package dev.netc.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The commands of the CI recipes in {@code docs/ci.md}, run as written there (each must appear
 * verbatim in both the GitHub Actions and the GitLab CI recipe) against a temporary git
 * repository of two commits, and the entries of {@code .pre-commit-hooks.yaml}. A tiny
 * interpreter stands in for the shell: {@code $(git ls-files '*.netc')} is git's answer,
 * {@code "$BASE"} the base revision, {@code > F} writes stdout to F, and {@code || [ $? -eq 2 ]}
 * accepts exit 2.
 */
class CiRecipesTest {
  static final String FMT = "./netc fmt --check $(git ls-files '*.netc')";
  static final String SARIF = "./netc lint --format sarif $(git ls-files '*.netc') > netc.sarif";
  static final String LOCKED = "./netc lint --locked $(git ls-files '*.netc')";
  static final String REVIEW = "./netc review --base \"$BASE\" --format markdown > review.md || [ $? -eq 2 ]";
  static final String PLAN = "./netc plan \"$TOPOLOGY\" --sandbox staging --detailed-exitcode --format markdown"
      + " > plan.md || [ $? -eq 2 ]";
  static final String DRIFT = "./netc diff \"$TOPOLOGY\" --sandbox staging > drift.txt";

  @Test
  void everyCommandIsInBothRecipes() throws IOException {
    String doc = Files.readString(ReviewCommandTest.ROOT.resolve("docs/ci.md"), StandardCharsets.UTF_8);
    int github = doc.indexOf("## GitHub Actions");
    int gitlab = doc.indexOf("## GitLab CI");
    int end = doc.indexOf("## pre-commit");
    assertTrue(github > 0 && gitlab > github && end > gitlab, "sections of docs/ci.md");
    for (String c : List.of(FMT, SARIF, LOCKED, REVIEW, PLAN, DRIFT)) {
      assertTrue(doc.substring(github, gitlab).contains(c), "GitHub recipe runs " + c);
      assertTrue(doc.substring(gitlab, end).contains(c), "GitLab recipe runs " + c);
    }
  }

  @Test
  void theRecipesPassOnAGoodChangeAndFailOnBadOnes(@TempDir Path tmp) throws IOException {
    GitRepo repo = new GitRepo(tmp);
    repo.write("webshop.netc", ReviewCommandTest.webshop());
    repo.write("README.md", "not a topology\n");
    assertEquals(0, repo.netc("lock", tmp.resolve("webshop.netc").toString()).status());
    repo.commit("web shop, locked");
    repo.edit("webshop.netc", ReviewCommandTest.OPEN_FROM, ReviewCommandTest.OPEN_TO);
    repo.commit("web reaches the database");
    Map<String, String> env = Map.of("BASE", "HEAD~1");

    assertEquals(0, sh(repo, FMT, env));
    assertEquals(0, sh(repo, SARIF, env));
    JsonNode sarif = new ObjectMapper().readTree(repo.read("netc.sarif"));
    assertEquals("2.1.0", sarif.get("version").asText());
    assertEquals(0, sh(repo, LOCKED, env));
    assertEquals(0, sh(repo, REVIEW, env), "exit 2 (changed) passes the step");
    String md = repo.read("review.md");
    assertTrue(md.startsWith("### netc review: reachability since `HEAD~1`\n"), md);
    assertTrue(md.contains("| `web` | `db` | 5432/tcp | 1 |")
        && md.contains("`webshop.netc:52` `allow ingress from app=web port 5432/tcp`"), md);

    // not in canonical form: fmt --check fails
    repo.edit("webshop.netc", "  subnet 10.20.0.0/24", "  subnet   10.20.0.0/24");
    assertEquals(1, sh(repo, FMT, env));
    repo.edit("webshop.netc", "  subnet   10.20.0.0/24", "  subnet 10.20.0.0/24");
    // an address that moves without `netc lock`: lint --locked fails
    repo.edit("webshop.netc", ReviewCommandTest.MOVE_FROM, ReviewCommandTest.MOVE_TO);
    assertEquals(1, sh(repo, LOCKED, env));
    assertTrue(repo.netc("lint", "--locked", tmp.resolve("webshop.netc").toString()).out().contains("NETC231"));
    // an error: lint fails, and the SARIF it wrote still names the error for code scanning
    repo.edit("webshop.netc", "attach front {", "attach fornt {");
    assertEquals(1, sh(repo, SARIF, env));
    assertTrue(repo.read("netc.sarif").contains("NETC101"));
    assertEquals(1, sh(repo, REVIEW, env), "a topology that does not compile fails the review step");
  }

  /**
   * The plan and drift jobs against a real sandbox (root only; skipped with a printed reason
   * otherwise). The recipes name the sandbox {@code staging}; here it is a fresh one of the
   * test's own, removed in {@code finally}.
   */
  @Test
  void planAndDriftJobsAgainstASandbox(@TempDir Path tmp) throws Exception {
    DiffKernelTest.assumeKernel();
    GitRepo repo = new GitRepo(tmp);
    repo.write("webshop.netc", ReviewCommandTest.webshop());
    repo.commit("web shop");
    String s = String.format("nc%06x", new java.security.SecureRandom().nextInt(1 << 24));
    String topology = tmp.resolve("webshop.netc").toString();
    Map<String, String> env = Map.of("TOPOLOGY", topology, "staging", s);
    try {
      assertEquals(0, repo.netc("apply", topology, "--sandbox", s).status());
      assertEquals(0, sh(repo, PLAN, env));
      assertTrue(repo.read("plan.md").startsWith("### netc plan: No changes: sandbox " + s), repo.read("plan.md"));
      assertEquals(0, sh(repo, DRIFT, env), repo.read("drift.txt"));
      assertEquals("In sync: sandbox " + s + " matches topology webshop.\n", repo.read("drift.txt"));

      // a pull request that opens a port: the plan step passes (exit 2) and the comment says what changes
      repo.edit("webshop.netc", ReviewCommandTest.OPEN_FROM, ReviewCommandTest.OPEN_TO);
      assertEquals(0, sh(repo, PLAN, env));
      String md = repo.read("plan.md");
      assertTrue(md.startsWith("### netc plan: 0 to create, 1 to update, 0 to replace, 0 to delete\n"), md);
      assertTrue(md.contains("<details><summary>~ update: 1</summary>\n\n- `table:" + s + ":inet netc_webshop`"), md);
      repo.edit("webshop.netc", ReviewCommandTest.OPEN_TO, ReviewCommandTest.OPEN_FROM);

      // drift by hand: the scheduled job fails (exit 2: the alert) and names it
      assertEquals(0, DiffKernelTest.run("ip", "netns", "exec", s, "nft", "flush", "table", "inet", "netc_webshop"));
      assertEquals(2, sh(repo, DRIFT, env));
      assertTrue(repo.read("drift.txt").contains("changed     table:" + s + ":inet netc_webshop  (9 rules, applied with 26: chain forward flushed (12 rules),"),
          repo.read("drift.txt"));
      assertEquals(0, repo.netc("destroy", topology, "--sandbox", s).status());
    } finally {
      DiffKernelTest.removeSandbox(s);
    }
  }

  @Test
  void preCommitHooksRunNetcOnNetcFiles(@TempDir Path tmp) throws IOException {
    String hooks = Files.readString(ReviewCommandTest.ROOT.resolve(".pre-commit-hooks.yaml"), StandardCharsets.UTF_8);
    for (String id : List.of("netc-fmt", "netc-lint")) {
      assertTrue(hooks.contains("- id: " + id + "\n"), id);
    }
    assertTrue(hooks.contains("  entry: ./netc fmt\n") && hooks.contains("  entry: ./netc lint\n"), hooks);
    assertEquals(2, hooks.split("  files: \\\\\\.netc\\$\n", -1).length - 1, hooks);
    GitRepo repo = new GitRepo(tmp);
    Path file = repo.write("shop.netc", ReviewCommandTest.webshop().replace("  subnet 10.20.0.0/24", "  subnet   10.20.0.0/24"));
    // pre-commit appends the staged files to the entry
    assertEquals(0, repo.netc("fmt", file.toString()).status());
    assertEquals(ReviewCommandTest.webshop(), repo.read("shop.netc"));
    assertEquals(0, repo.netc("lint", file.toString()).status());
  }

  /** Runs one recipe line as the shell would, netc in-process; returns the step's status. */
  private static int sh(GitRepo repo, String line, Map<String, String> env) throws IOException {
    Set<Integer> ok = Set.of(0);
    String cmd = line;
    if (cmd.endsWith(" || [ $? -eq 2 ]")) {
      cmd = cmd.substring(0, cmd.length() - " || [ $? -eq 2 ]".length());
      ok = Set.of(0, 2);
    }
    String redirect = null;
    int gt = cmd.indexOf(" > ");
    if (gt >= 0) {
      redirect = cmd.substring(gt + 3).strip();
      cmd = cmd.substring(0, gt);
    }
    assertTrue(cmd.startsWith("./netc "), cmd);
    List<String> args = new ArrayList<>();
    for (String word : cmd.substring("./netc ".length()).replace("$(git ls-files '*.netc')", "\u0000")
        .split(" ")) {
      if (word.equals("\u0000")) {
        for (String f : repo.git("ls-files", "*.netc").split("\n")) {
          if (!f.isBlank()) {
            args.add(repo.dir.resolve(f.strip()).toString());
          }
        }
      } else if (word.startsWith("\"$") && word.endsWith("\"")) {
        args.add(env.get(word.substring(2, word.length() - 1)));
      } else if (env.containsKey(word) && !args.isEmpty() && args.get(args.size() - 1).equals("--sandbox")) {
        args.add(env.get(word)); // the test's own sandbox for the recipes' `staging`
      } else {
        args.add(word);
      }
    }
    if (args.get(0).equals("review")) {
      args.add(1, "-C");
      args.add(2, repo.dir.toString());
    }
    CliRunner.Result r = repo.netc(args.toArray(String[]::new));
    if (redirect != null) {
      repo.write(redirect, r.out());
    }
    return ok.contains(r.status()) ? 0 : r.status();
  }
}
