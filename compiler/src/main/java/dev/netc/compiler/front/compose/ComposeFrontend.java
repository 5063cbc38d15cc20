package dev.netc.compiler.front.compose;

import dev.netc.compiler.ast.Decl;
import dev.netc.compiler.ast.Word;
import dev.netc.compiler.diag.Code;
import dev.netc.compiler.diag.Diagnostic;
import dev.netc.compiler.diag.Diagnostics;
import dev.netc.compiler.front.Frontend;
import dev.netc.compiler.front.Yaml;
import dev.netc.compiler.source.SourceFile;
import dev.netc.compiler.source.Span;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeTuple;

/**
 * The Docker Compose front end: a YAML file with a top-level {@code services} (and no
 * {@code apiVersion} or {@code kind}, which Kubernetes files have). It reads the project's
 * networks and services into the declarations a {@code .netc} file gives (see
 * {@code docs/compose.md} for how each field maps); fields that do not concern the network are
 * ignored, network fields netc does not support are warned about.
 */
public final class ComposeFrontend implements Frontend {
  private static final Pattern TOP_SERVICES = Pattern.compile("(?m)^services:([ \\t].*)?\\r?$");
  private static final Pattern KUBERNETES = Pattern.compile("(?m)^(apiVersion|kind):");

  @Override
  public String name() {
    return "compose";
  }

  @Override
  public boolean accepts(SourceFile file) {
    List<String> keys = Yaml.topLevelKeys(file);
    if (keys.isEmpty()) {
      // broken YAML reads no key: judge by the lines, so that the error is reported as YAML's
      return TOP_SERVICES.matcher(file.text()).find() && !KUBERNETES.matcher(file.text()).find();
    }
    return keys.contains("services") && !keys.contains("apiVersion") && !keys.contains("kind");
  }

  @Override
  public List<Decl> read(SourceFile file, Diagnostics diags) {
    Yaml yaml = Yaml.of(file);
    int errors = diags.errorCount();
    List<Node> docs = yaml.documents(diags);
    if (docs.isEmpty() || diags.errorCount() != errors) {
      return List.of(); // (a document with a key given twice is left out: the first is no longer the first)
    }
    Nodes nodes = new Nodes(yaml, diags);
    for (int i = 1; i < docs.size(); i++) {
      diags.add(Diagnostic.of(Code.NETC032, nodes.span(docs.get(i)), "a Compose file is one YAML"
              + " document: netc reads the first and ignores this one")
          .withHint("put every service in the first document, or in a file of its own"));
    }
    Optional<Map<String, NodeTuple>> top = nodes.map(docs.get(0), "the Compose file");
    List<Decl> decls = top.map(t -> read(file, nodes, t)).orElse(List.of());
    // Compose interpolates every value, not only those netc reads
    UnreadTemplates.check(nodes, file, docs.get(0));
    return decls;
  }

  private static List<Decl> read(SourceFile file, Nodes nodes, Map<String, NodeTuple> top) {
    Fields.TOP.check(nodes, top, "the Compose file");
    Optional<Word> declared = Optional.ofNullable(top.get("name")).filter(t -> !Nodes.isNull(t.getValueNode()))
        .flatMap(t -> nodes.scalar(t.getValueNode(), "the project `name`")); // (`name: ~` gives none)
    Word project = ProjectName.of(file, declared);
    List<Decl> out = new ArrayList<>();
    out.add(new Decl.Topology(project, project.span()));
    // a project name netc refuses is reported once, for the topology: its network takes a fixed one
    String netcProject = ProjectName.netc(ProjectName.normalise(project.text()));
    Networks networks = new Networks(netcProject.isEmpty() ? "compose" : netcProject, project,
        declared.isPresent()); // `name: ""`
    if (top.containsKey("networks")) {
      new NetworkReader(nodes).read(top.get("networks"), networks);
    }
    List<ComposeService> services = new ArrayList<>();
    // (a file taken for Compose has `services` at the top of some document: not always the first,
    // the one read; the others are told ignored, NETC032)
    NodeTuple servicesEntry = top.get("services");
    ServiceReader reader = new ServiceReader(nodes, networks, project.text());
    if (servicesEntry != null) {
      for (NodeTuple t : nodes.map(servicesEntry.getValueNode(), "`services`").orElse(Map.of()).values()) {
        reader.read(t).ifPresent(services::add);
      }
    }
    Span at = servicesEntry != null ? nodes.key(servicesEntry).span() : project.span();
    out.addAll(networks.decls(at, nodes.diags()));
    out.addAll(new SharedNamespaces(nodes).declarations(services));
    return out;
  }
}
