package dev.netc.compiler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link Compiler#readableName}: the name a topology that no longer compiles had when it did
 * (what {@code netc destroy} without a compiling file removes), or none when it cannot be told
 * for sure.
 */
class ReadableNameTest {
  @TempDir Path dir;

  private Path write(String name, String text) throws IOException {
    Path p = dir.resolve(name);
    Files.createDirectories(p.getParent());
    Files.writeString(p, text);
    return p;
  }

  private static Optional<String> name(Path p) {
    return Compiler.readableName(p, List.of(p));
  }

  /** Compiles {@code p}: the name it gets when it compiles, which readableName must agree with. */
  private static String compiled(Path p) throws IOException {
    return new Compiler().compile(p).topology().orElseThrow().name();
  }

  /** {@code p} compiles as topology {@code expected}, and readableName says so. */
  private static void assertNamed(String expected, Path p) throws IOException {
    assertEquals(expected, compiled(p));
    assertEquals(Optional.of(expected), name(p));
  }

  @Test
  void aNetcFileBrokenAfterItsTopologyLineIsNamedByIt() throws IOException {
    String ok = "# the shop\ntopology shop\n\nnetwork front {\n  subnet 10.1.0.0/24\n}\n\ncontainer web {\n  attach front\n}\n";
    Path p = write("other-name.netc", ok);
    assertNamed("shop", p);
    write("other-name.netc", ok + "container half {\n  attach\n");
    assertTrue(new Compiler().compile(p).topology().isEmpty());
    assertEquals(Optional.of("shop"), name(p));
    // an error on the line, or before it: the line may be another
    write("other-name.netc", "topology shop extra\n" + ok.substring(ok.indexOf("\nnetwork")));
    assertEquals(Optional.empty(), name(p));
    write("other-name.netc", "garbage {{{\n" + ok);
    assertEquals(Optional.empty(), name(p));
    write("other-name.netc", "topolgy shop\n" + ok.substring(ok.indexOf("\nnetwork")));
    assertEquals(Optional.empty(), name(p), "a misspelt topology line does not make it the file's name");
  }

  @Test
  void aNetcFileWithoutTopologyLineIsNamedAfterItselfOnlyWhenItParses() throws IOException {
    Path p = write("lab.netc", "network front {\n  subnet 10.1.0.0/24\n}\ncontainer web {\n  attach front\n}\n");
    assertEquals("lab", compiled(p));
    assertEquals(Optional.of("lab"), name(p));
    write("lab.netc", "network front {\n  subnet 10.1.0.0/24\n}\ncontainer web {\n  attach back\n}\n");
    assertTrue(new Compiler().compile(p).topology().isEmpty(), "an unknown network");
    assertEquals(Optional.of("lab"), name(p), "parses: surely no topology line");
    write("lab.netc", "network front {\n  subnet 10.1.0.0/24\n}\ncontainer web {\n  attach\n");
    assertEquals(Optional.empty(), name(p), "a syntax error: a topology line could be hidden in it");
    assertEquals(Optional.empty(), name(dir.resolve("gone.netc")));
    assertEquals(Optional.empty(), name(write("Bad Name.netc", "network front {\n  subnet 10.1.0.0/24\n}\n")),
        "not a topology name: never applied");
  }

  @Test
  void aComposeFileIsNamedByItsProjectWhenItsYamlReads() throws IOException {
    Path p = write("my_shop/compose.yaml", "services:\n  web:\n    image: nginx\n");
    assertEquals("my-shop", compiled(p));
    assertEquals(Optional.of("my-shop"), name(p));
    write("my_shop/compose.yaml", "services:\n  web:\n    image: nginx\n    network_mode: nosuch\n");
    assertTrue(new Compiler().compile(p).topology().isEmpty(), "a front end's error");
    assertEquals(Optional.of("my-shop"), name(p));
    write("my_shop/compose.yaml", "name: store_2\nservices:\n  web:\n    image: nginx\n    network_mode: nosuch\n");
    assertEquals(Optional.of("store-2"), name(p));
    write("my_shop/compose.yaml", "name: store\nservices:\n  web:\n    image: nginx\n  api: [\n");
    assertEquals(Optional.empty(), name(p), "broken YAML: its name cannot be read");
    write("my_shop/compose.yaml", "name: [store]\nservices:\n  web:\n    image: nginx\n");
    assertEquals(Optional.empty(), name(p), "a name that does not read is not the folder's");
  }

  @Test
  void kubernetesManifestsAreNamedAfterTheirFileOrFolderWhateverTheyHold() throws IOException {
    Path p = write("Shop.v1.yaml", "apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\n  labels: [\n");
    assertEquals(Optional.of("shop-v1"), name(p));
    Path a = write("Apps/a.yaml", "apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\n");
    Path b = write("Apps/b.yaml", "apiVersion: v1\nkind: Pod\nmetadata: [\n");
    assertEquals(Optional.of("apps"), Compiler.readableName(dir.resolve("Apps"), List.of(a, b)));
    // a folder with a dot in its name, as it compiles (found in review: it gave k8s-prod, another
    // topology's name, where the folder compiles as k8s)
    String pod = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: NAME\nspec:\n  containers:\n  - name: c\n    image: x\n";
    Path c = write("k8s.prod/a.yaml", pod.replace("NAME", "web"));
    Path d = write("k8s.prod/b.yaml", pod.replace("NAME", "api"));
    assertEquals(Optional.of(new Compiler().compile(dir.resolve("k8s.prod"), List.of(c, d)).topology().orElseThrow().name()),
        Compiler.readableName(dir.resolve("k8s.prod"), List.of(c, d)));
  }

  /**
   * The file `netc emit --backend k8s --out DIR` writes for topology shop, `shop.k8s.yaml`, reads
   * back as shop (it was `shop-k8s`, and a round trip through files grew the name each time).
   */
  @Test
  void anExportedKubernetesFileReadsBackUnderItsTopologysName() throws IOException {
    String pod = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\nspec:\n  containers:\n  - name: c\n    image: x\n";
    assertNamed("shop", write("out/shop.k8s.yaml", pod));
    assertEquals("k8s", compiled(write("k8s.yaml", pod)), "a file named k8s.yaml keeps its name");
  }
}
