package dev.netc.backends;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.common.jimfs.Configuration;
import com.google.common.jimfs.Jimfs;
import dev.netc.compiler.CompileResult;
import dev.netc.compiler.Compiler;
import dev.netc.compiler.diag.Code;
import dev.netc.compiler.diag.Diagnostic;
import java.io.IOException;
import java.nio.file.FileSystem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What netc reads stays inside the project (NETC009): the Git work tree of the root file, or
 * without one its folder. Imports, the lock file, a folder's manifests and the root file itself
 * may not lead out, by an absolute path, {@code ..} or a symbolic link. A file outside is never
 * read, so none of it reaches a report: {@code secret.netc} here holds a syntax error whose
 * excerpt would show its first line.
 */
class ProjectBoundaryTest {
  private static final String SECRET = "TOKEN=s3cr3t\n";
  private FileSystem fs;

  @BeforeEach
  void setUp() throws IOException {
    fs = Jimfs.newFileSystem(Configuration.unix());
    Files.createDirectories(fs.getPath("/home/ci/repo/envs/prod"));
    Files.createDirectories(fs.getPath("/home/ci/repo/modules"));
    Files.writeString(fs.getPath("/home/ci/secret.netc"), SECRET);
    Files.writeString(fs.getPath("/home/ci/repo/modules/networks.netc"), "network front { subnet 10.0.0.0/24 }\n");
    Files.writeString(fs.getPath("/home/ci/repo/envs/prod/web.netc"), "container web { attach front }\n");
  }

  @AfterEach
  void tearDown() throws IOException {
    fs.close();
  }

  private CompileResult compile(String... imports) throws IOException {
    StringBuilder text = new StringBuilder("topology shop\n");
    for (String i : imports) {
      text.append("import \"").append(i).append("\"\n");
    }
    Path root = fs.getPath("/home/ci/repo/envs/prod/main.netc");
    Files.writeString(root, text.toString());
    return new Compiler().compile(root);
  }

  private static List<String> codes(CompileResult r) {
    return r.diagnostics().stream().map(d -> d.code().name()).toList();
  }

  private static void notRead(CompileResult r) {
    assertTrue(r.sources().stream().noneMatch(f -> f.text().contains("s3cr3t")), "the file outside was read");
    assertTrue(r.diagnostics().stream().map(Diagnostic::message).noneMatch(m -> m.contains("s3cr3t")));
  }

  @Test
  void anAbsolutePathIsRefusedUnread() throws IOException {
    CompileResult r = compile("/home/ci/secret.netc", "web.netc");
    assertEquals(List.of("NETC009"), codes(r));
    Diagnostic d = r.diagnostics().get(0);
    assertEquals(Code.NETC009, d.code());
    assertEquals("cannot import `/home/ci/secret.netc`: an absolute path; the file is not read", d.message());
    notRead(r);
  }

  @Test
  void withoutGitTheProjectIsTheRootFilesFolder() throws IOException {
    CompileResult r = compile("web.netc", "../../modules/networks.netc");
    assertEquals(List.of("NETC009"), codes(r));
    assertEquals("cannot import `../../modules/networks.netc`: it leads to `/home/ci/repo/modules/networks.netc`,"
        + " outside `/home/ci/repo/envs/prod`; the file is not read", r.diagnostics().get(0).message());
  }

  @Test
  void inAGitWorkTreeImportsReachItsOtherFolders() throws IOException {
    Files.createDirectories(fs.getPath("/home/ci/repo/.git"));
    CompileResult r = compile("web.netc", "../../modules/networks.netc");
    assertEquals(List.of(), codes(r));
    assertTrue(r.topology().isPresent());
    // ... and no further
    CompileResult out = compile("web.netc", "../../modules/networks.netc", "../../../secret.netc");
    assertEquals(List.of("NETC009"), codes(out));
    notRead(out);
  }

  @Test
  void aSymbolicLinkThatLeadsOutIsRefusedUnread() throws IOException {
    Files.createSymbolicLink(fs.getPath("/home/ci/repo/envs/prod/networks.netc"), fs.getPath("/home/ci/secret.netc"));
    CompileResult r = compile("web.netc", "networks.netc");
    assertEquals(List.of("NETC009"), codes(r));
    assertEquals("cannot import `networks.netc`: it leads to `/home/ci/secret.netc`, outside `/home/ci/repo/envs/prod`;"
        + " the file is not read", r.diagnostics().get(0).message());
    notRead(r);
  }

  @Test
  void aSymbolicLinkInsideTheProjectIsFollowed() throws IOException {
    Files.createDirectories(fs.getPath("/home/ci/repo/.git"));
    Files.createSymbolicLink(fs.getPath("/home/ci/repo/envs/prod/networks.netc"),
        fs.getPath("/home/ci/repo/modules/networks.netc"));
    CompileResult r = compile("web.netc", "networks.netc");
    assertEquals(List.of(), codes(r));
  }

  @Test
  void aRootFileLinkedFromOutsideIsRefusedUnread() throws IOException {
    Files.createDirectories(fs.getPath("/home/ci/repo/.git"));
    Path link = fs.getPath("/home/ci/repo/envs/prod/evil.netc");
    Files.createSymbolicLink(link, fs.getPath("/home/ci/secret.netc"));
    CompileResult r = new Compiler().compile(link);
    assertEquals(List.of("NETC009"), codes(r));
    assertEquals("cannot read `/home/ci/repo/envs/prod/evil.netc`: it leads to `/home/ci/secret.netc`, outside"
        + " `/home/ci/repo`; the file is not read", r.diagnostics().get(0).message());
    notRead(r);
  }

  @Test
  void aManifestLinkedFromOutsideIsRefusedUnread() throws IOException {
    Files.createDirectories(fs.getPath("/home/ci/repo/.git"));
    Path k8s = Files.createDirectories(fs.getPath("/home/ci/repo/k8s"));
    Files.writeString(fs.getPath("/home/ci/secret.yaml"), "TOKEN: [s3cr3t\n");
    Files.writeString(k8s.resolve("a.yaml"), "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: shop\n");
    Files.createSymbolicLink(k8s.resolve("b.yaml"), fs.getPath("/home/ci/secret.yaml"));
    CompileResult r = new Compiler().compile(k8s);
    assertEquals(List.of("NETC009"), codes(r));
    notRead(r);
  }

  @Test
  void aLockFileLinkedFromOutsideIsRefusedUnread() throws IOException {
    Files.createDirectories(fs.getPath("/home/ci/repo/.git"));
    Files.createSymbolicLink(fs.getPath("/home/ci/repo/envs/prod/main.lock"), fs.getPath("/home/ci/secret.netc"));
    CompileResult r = compile("web.netc", "../../modules/networks.netc");
    assertEquals(List.of("NETC009"), codes(r));
    assertEquals("cannot read the lock file `/home/ci/repo/envs/prod/main.lock`: it leads to `/home/ci/secret.netc`,"
        + " outside `/home/ci/repo`; the file is not read", r.diagnostics().get(0).message());
    notRead(r);
  }

  // (whether a file outside exists is not told either: NETC009 comes before any look-up outside)

  @Test
  void anImportThatLeadsOutIsRefusedWhetherItsFileExistsOrNot() throws IOException {
    Files.createDirectories(fs.getPath("/home/ci/repo/.git"));
    CompileResult r = compile("../../../secret.netc", "../../../nosuch.netc");
    assertEquals(List.of("NETC009", "NETC009"), codes(r));
    assertEquals("cannot import `../../../secret.netc`: it leads to `/home/ci/secret.netc`, outside `/home/ci/repo`;"
        + " the file is not read", r.diagnostics().get(0).message());
    assertEquals("cannot import `../../../nosuch.netc`: it leads to `/home/ci/nosuch.netc`, outside `/home/ci/repo`;"
        + " the file is not read", r.diagnostics().get(1).message());
    notRead(r);
  }

  @Test
  void aSymbolicLinkThatLeadsOutIsRefusedWhetherItsTargetExistsOrNot() throws IOException {
    Files.createDirectories(fs.getPath("/home/ci/repo/.git"));
    Path prod = fs.getPath("/home/ci/repo/envs/prod");
    Files.createSymbolicLink(prod.resolve("a.netc"), fs.getPath("/home/ci/secret.netc"));
    Files.createSymbolicLink(prod.resolve("b.netc"), fs.getPath("/home/ci/nosuch.netc"));
    Files.createSymbolicLink(prod.resolve("home"), fs.getPath("../../.."));
    CompileResult r = compile("a.netc", "b.netc", "home/secret.netc", "home/nosuch/x.netc");
    assertEquals(List.of("NETC009", "NETC009", "NETC009", "NETC009"), codes(r));
    assertEquals("cannot import `b.netc`: it leads to `/home/ci/nosuch.netc`, outside `/home/ci/repo`;"
        + " the file is not read", r.diagnostics().get(1).message());
    assertEquals("cannot import `home/nosuch/x.netc`: it leads to `/home/ci/nosuch/x.netc`, outside"
        + " `/home/ci/repo`; the file is not read", r.diagnostics().get(3).message());
    notRead(r);
  }

  @Test
  void aSymbolicLinkWithDotsInsideTheProjectIsFollowed() throws IOException {
    Files.createDirectories(fs.getPath("/home/ci/repo/.git"));
    Files.createSymbolicLink(fs.getPath("/home/ci/repo/envs/prod/modules"), fs.getPath("../../modules"));
    CompileResult r = compile("web.netc", "modules/networks.netc");
    assertEquals(List.of(), codes(r));
  }

  @Test
  void aLoopOfSymbolicLinksIsNetc006() throws IOException {
    Path prod = fs.getPath("/home/ci/repo/envs/prod");
    Files.createSymbolicLink(prod.resolve("a.netc"), fs.getPath("b.netc"));
    Files.createSymbolicLink(prod.resolve("b.netc"), fs.getPath("a.netc"));
    CompileResult r = compile("a.netc");
    assertEquals(List.of("NETC006"), codes(r));
    assertEquals("cannot import `a.netc`: a loop of symbolic links", r.diagnostics().get(0).message());
  }

  @Test
  void aDanglingManifestOrLockLinkThatLeadsOutIsRefused() throws IOException {
    Files.createDirectories(fs.getPath("/home/ci/repo/.git"));
    Path k8s = Files.createDirectories(fs.getPath("/home/ci/repo/k8s"));
    Files.writeString(k8s.resolve("a.yaml"), "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: shop\n");
    Files.createSymbolicLink(k8s.resolve("b.yaml"), fs.getPath("/home/ci/nosuch.yaml"));
    CompileResult r = new Compiler().compile(k8s);
    assertEquals(List.of("NETC009"), codes(r));
    Files.createSymbolicLink(fs.getPath("/home/ci/repo/envs/prod/main.lock"), fs.getPath("/home/ci/nosuch.lock"));
    CompileResult lock = compile();
    assertEquals(List.of("NETC009"), codes(lock));
    assertEquals("cannot read the lock file `/home/ci/repo/envs/prod/main.lock`: it leads to `/home/ci/nosuch.lock`,"
        + " outside `/home/ci/repo`; the file is not read", lock.diagnostics().get(0).message());
  }

  @Test
  void aLinkToAFolderOutsideIsNotListed() throws IOException {
    Files.createDirectories(fs.getPath("/home/ci/repo/.git"));
    Path k8s = Files.createDirectories(fs.getPath("/home/ci/repo/k8s"));
    Files.writeString(fs.getPath("/home/ci/other.yaml"), "TOKEN: s3cr3t\n");
    Files.writeString(k8s.resolve("a.yaml"), "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: shop\n");
    Files.createSymbolicLink(k8s.resolve("ext"), fs.getPath("/home/ci"));
    assertEquals(List.of(k8s.resolve("a.yaml")), dev.netc.compiler.source.Manifests.list(k8s, true));
    Files.createSymbolicLink(k8s.resolve("b.yaml"), fs.getPath("/home/ci"));
    CompileResult r = new Compiler().compile(k8s);
    assertEquals(List.of("NETC009"), codes(r));
  }

  @Test
  void aMissingFileIsStillNetc006() throws IOException {
    CompileResult r = compile("web.netc", "nosuch.netc");
    assertEquals(List.of("NETC006"), codes(r));
  }
}
