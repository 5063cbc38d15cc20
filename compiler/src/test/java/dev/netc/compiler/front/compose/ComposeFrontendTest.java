package dev.netc.compiler.front.compose;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.netc.compiler.ast.Decl;
import dev.netc.compiler.diag.Code;
import dev.netc.compiler.diag.Diagnostic;
import dev.netc.compiler.diag.Diagnostics;
import dev.netc.compiler.source.SourceFile;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** What the golden cases cannot show: recognition, the project name from a folder, interpolation. */
class ComposeFrontendTest {
  private final ComposeFrontend front = new ComposeFrontend();

  @Test
  void acceptsComposeFilesByContent() {
    assertTrue(front.accepts(new SourceFile("any.txt", "services:\n  web:\n    image: nginx\n")));
    assertTrue(front.accepts(new SourceFile("broken.yaml", "services:\n  web:\n   - x\n  y: [\n")),
        "broken YAML with a top-level `services` is Compose's, so that NETC010 reports it");
    assertFalse(front.accepts(new SourceFile("k.yaml", "apiVersion: v1\nkind: Service\nservices: []\n")));
    assertFalse(front.accepts(new SourceFile("t.netc", "network front\ncontainer web { attach front }\n")));
  }

  @Test
  void theProjectIsNamedAfterTheFolderAsComposeDoes() {
    assertEquals("my-shop", ProjectName.netc(ProjectName.fromFolder(new SourceFile("/srv/My_Shop/compose.yaml", ""))));
    assertEquals("web2", ProjectName.fromFolder(new SourceFile("/srv/.Web 2!/docker-compose.yml", "")));
    assertEquals("my-app", ProjectName.of(new SourceFile("/x/y.yaml", ""),
        Optional.of(new dev.netc.compiler.ast.Word("my_app", null))).text());
  }

  /** netc's Compose export gives a replicated service its name as an alias; read back, it is one alias, not two. */
  @Test
  void aReplicatedServiceNamedInItsOwnAliasesGetsTheAliasOnce() {
    List<Decl> decls = front.read(new SourceFile("/work/shop/compose.yaml", "services:\n  api:\n    image: api\n"
        + "    scale: 2\n    networks:\n      back:\n        aliases: [api]\n      front: {}\n"
        + "networks:\n  back: {}\n  front: {}\n"), new Diagnostics());
    Decl.Container api = decls.stream().filter(d -> d instanceof Decl.Container).map(d -> (Decl.Container) d)
        .findFirst().orElseThrow();
    for (Decl.Attach a : api.attaches()) {
      assertEquals(List.of("api"), a.settings().stream().filter(x -> x.keyword().text().equals("alias"))
          .flatMap(x -> x.values().stream()).map(dev.netc.compiler.ast.Word::text).toList(), a.network().text());
    }
  }

  @Test
  void theDefaultNetworkIsNamedAfterTheProject() {
    List<Decl> decls = front.read(new SourceFile("/work/shop/compose.yaml",
        "services:\n  web:\n    image: nginx\n"), new Diagnostics());
    assertEquals("shop", ((Decl.Topology) decls.get(0)).name().text());
    assertEquals("shop-default", ((Decl.Network) decls.get(1)).name().text());
    assertEquals("shop-default", ((Decl.Container) decls.get(2)).attaches().get(0).network().text());
  }

  @Test
  void aProjectNamedAfterAFolderTooLongForItsDefaultNetworkIsToldAtTheFileStart() {
    String folder = "a".repeat(56);
    Diagnostics diags = new Diagnostics();
    List<Decl> decls = front.read(new SourceFile("/work/" + folder + "/compose.yaml",
        "services:\n  web:\n    image: nginx\n"), diags);
    assertEquals(1, diags.sorted().size());
    Diagnostic d = diags.sorted().get(0);
    assertEquals(Code.NETC103, d.code());
    assertEquals(0, d.span().start());
    assertEquals("the project name `" + folder + "` (56 characters) makes the name of its default network, `"
        + folder + "-default`, longer than the 63 characters a name may have", d.message());
    assertEquals("a".repeat(55) + "-default", ((Decl.Network) decls.get(1)).name().text(),
        "a valid name stands in, so that the name is not told again");
    diags = new Diagnostics();
    front.read(new SourceFile("/work/" + "a".repeat(55) + "/compose.yaml", "services:\n  web:\n    image: nginx\n"), diags);
    assertTrue(diags.sorted().isEmpty());
  }

  @Test
  void interpolationReadsDefaultsAndAnEmptyEnvironment() {
    assertEquals("8080:80", Interpolation.apply("${PORT:-8080}:80").text());
    assertEquals("8080:80", Interpolation.apply("${PORT-8080}:80").text());
    assertEquals("9000", Interpolation.apply("${A:-${B:-9000}}").text());
    assertEquals(":80", Interpolation.apply("${PORT}:80").text());
    assertEquals(List.of("HOST_IP", "PORT"), Interpolation.apply("$HOST_IP${PORT}$PORT:${HOST:?needed}").unset());
    assertEquals("", Interpolation.apply("${X:+set}").text());
    assertEquals("$HOME", Interpolation.apply("$$HOME").text());
    assertTrue(Interpolation.apply("127.0.0.1:80").unset().isEmpty());
  }

  @Test
  void aRequiredVariableIsMissingWithItsMessageAndPlace() {
    assertEquals(List.of(new Interpolation.Required("HOST", "needed", 21, 36)),
        Interpolation.apply("$HOST_IP${PORT}$PORT:${HOST:?needed}").required());
    assertEquals(List.of(new Interpolation.Required("P", "", 0, 5)), Interpolation.apply("${P?}:80").required());
    // the message is interpolated, and a required variable in a default is found where it stands
    assertEquals(List.of(new Interpolation.Required("B", "set B or x", 5, 26)),
        Interpolation.apply("${A:-${B?set B or ${X:-x}}}").required());
    assertEquals(List.of(), Interpolation.apply("${A:+${B:?never read}}").required());
  }

  /**
   * A required variable in a value netc does not read is set where the file is deployed, and holds
   * up nothing netc models: not told, in any field (extension fields, `image`, `command`,
   * `environment`, a volume's `driver`, a secret's `file`, a config, `version`). In a value netc
   * reads (a port) it is NETC034, netc reading no environment.
   */
  @Test
  void aRequiredVariableOfAValueNetcDoesNotReadIsNotTold() {
    assertEquals(List.of(), told("x-defaults: &defaults\n  environment:\n    TZ: ${TZ:?}\nservices:\n  web:\n"
        + "    <<: *defaults\n    image: nginx:${TAG:?set TAG}\n"));
    assertEquals(List.of(), told("services:\n  web:\n    environment:\n      A: \"$${A:?}\"\n      ${KEY:?}: 1\n"
        + "    image: nginx:${TAG:?set TAG}\n  api:\n    image: ${REGISTRY:?}/api\n"));
    assertEquals(List.of("3:14 required variable `P` is missing a value in a port of service `web`"),
        told("services:\n  web:\n    ports: [\"${P:?}:80\"]\n    command: |\n      echo ${X:?no X}\n"
            + "      echo ${Y:?}\n"));
    assertEquals(List.of(), told("services: {}\nvolumes: {data: {driver: \"${D?}\"}}\n"));
    assertEquals(List.of(), told("services: {}\nsecrets:\n  key:\n    file: ./${K:?}.pem\n"));
    assertEquals(List.of(), told("services: {}\nconfigs:\n  app: ${C:?}\n"));
    assertEquals(List.of(), told("services: {}\nversion: \"\\x24{V:?}\"\n"));
    assertEquals(List.of(), told("services:\n  web:\n    image: nginx:${TAG:-1.27}\n    command: echo $$X?\n"));
  }

  @Test
  void anInvalidTemplateOfAValueNetcDoesNotReadIsToldOnceAtItsPlace() {
    // at the `${`, in any field, once per file, whether a required variable comes before it or not
    assertEquals(List.of("3:18 invalid interpolation format in `image` of service `web`: `${TAG` has no"
            + " closing `}`"),
        told("services:\n  web:\n    image: nginx:${TAG\n    environment: {A: \"${\"}\n"
            + "    command: echo ${X:?}\n"));
    assertEquals(List.of("3:38 invalid interpolation format in `environment.B` of service `web`: `${` has no"
            + " closing `}`"),
        told("services:\n  web:\n    environment: {A: \"x\", B: \"${A:?} ${\"}\n    image: ${1}\n"));
    assertEquals(List.of("3:24 invalid interpolation format in `environment.A` of service `web`: `${1}` is not"
            + " a variable name, optionally followed by `:-`, `-`, `:+`, `+`, `:?` or `?` and a word"),
        told("services:\n  web:\n    environment: {A: \"x${1}y\"}\n"));
    assertEquals(List.of("4:10 invalid interpolation format in `x-notes.todo`: `${` has no closing `}`"),
        told("services: {}\nx-notes:\n  todo: |\n    cost ${\n"));
    // a value netc reads is told as it is read, at the `${` too; `$$` is a `$`, `${VAR:?}` a valid template
    assertEquals(List.of("3:17 invalid interpolation format in a port of service `web`: `${}` is not a variable"
            + " name, optionally followed by `:-`, `-`, `:+`, `+`, `:?` or `?` and a word"),
        told("services:\n  web:\n    ports: [\"80:${}\"]\n"));
    assertEquals(List.of(), told("services:\n  web:\n    image: nginx\n    command: echo $${A $${1} {}\n"
        + "    labels: {a: \"${A:-}\", b: \"${B-{x}}\"}\n"));
  }

  /** The NETC034 of a Compose file, as "line:column message". */
  private List<String> told(String yaml) {
    Diagnostics diags = new Diagnostics();
    front.read(new SourceFile("/work/p/compose.yaml", yaml), diags);
    return diags.sorted().stream().filter(d -> d.code() == Code.NETC034)
        .map(d -> d.span().line() + ":" + d.span().column() + " " + d.message()).toList();
  }

  @Test
  void anInvalidTemplateIsToldAsComposeRefusesIt() {
    assertEquals(Optional.of(new Interpolation.Invalid("`${P:-8080:80` has no closing `}`", 0, 12)),
        Interpolation.apply("${P:-8080:80").invalid());
    assertEquals(Optional.of(new Interpolation.Invalid("`${A:-${B}` has no closing `}`", 1, 10)),
        Interpolation.apply("x${A:-${B}").invalid());
    assertEquals(Optional.of(new Interpolation.Invalid("`${1}` is not a variable name, optionally followed"
            + " by `:-`, `-`, `:+`, `+`, `:?` or `?` and a word", 8, 12)),
        Interpolation.apply("${A:-x}:${1}:80").invalid());
    assertEquals(11, Interpolation.apply("${A:-a${B:-${}}}").invalid().orElseThrow().start());
    for (String bad : List.of("${}", "${1}:80", "${A!x}", "${:-80}", "${A:-${}}")) {
      assertTrue(Interpolation.apply(bad).invalid().isPresent(), bad);
    }
    for (String good : List.of("${A}", "${A-1}", "${A:-1}", "${A+1}", "${A:+1}", "${A?x}", "${A:?x}",
        "$$", "$$${A}", "a$", "$1", "${_A1}")) {
      assertEquals(Optional.empty(), Interpolation.apply(good).invalid(), good);
    }
  }
}
