package dev.netc.compiler.front.kubernetes;

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

/**
 * The Kubernetes front end: a file of YAML documents, each an object with {@code apiVersion} and
 * {@code kind} (or a {@code List} of them, as {@code kubectl get -o yaml} prints), becomes the
 * declarations of a {@code .netc} file: one namespace per Kubernetes namespace, one pod per pod
 * ({@link Workloads}), the services ({@link Services}) and policies ({@link NetworkPolicies}),
 * and the pod network ({@link PodNetwork}). Endpoints are named {@code namespace/pod}. What this
 * front end does not check (names, labels, addresses, ports, duplicates) the resolver checks,
 * exactly as for {@code .netc}. See {@code docs/kubernetes.md}.
 */
public final class KubernetesFrontend implements Frontend {
  private static final Pattern API_VERSION = Pattern.compile("(?m)^apiVersion:");
  private static final Pattern KIND = Pattern.compile("(?m)^kind:");

  @Override
  public String name() {
    return "kubernetes";
  }

  @Override
  public boolean readsSeveralFiles() {
    return true;
  }

  @Override
  public boolean accepts(SourceFile file) {
    List<String> keys = Yaml.topLevelKeys(file);
    if (keys.contains("apiVersion") && keys.contains("kind")) {
      return true;
    }
    // broken YAML still belongs here, so that its error is reported as YAML (NETC010)
    return API_VERSION.matcher(file.text()).find() && KIND.matcher(file.text()).find();
  }

  @Override
  public List<Decl> read(SourceFile file, Diagnostics diags) {
    return read(List.of(file), diags);
  }

  /** Each object with an error is left out, and the others are declared: see {@link #read(List, Diagnostics)}. */
  @Override
  public boolean recovers() {
    return true;
  }

  /**
   * The declarations of several files read as one set of manifests, in order (as {@code kubectl
   * apply -f} with several files or a folder): an object named twice, in one file or two, is
   * NETC102 at the second, which is left out. Every object is read on its own, as the API server
   * validates each: one with an error (a document, or an item of a {@code List}) is left out,
   * and the others are declared, so that the resolver and the checks still tell their errors.
   * When a left-out object may have had pods or namespace labels ({@link Cluster#podsMayBeMissing}),
   * a port name no pod has is not told (NETC025): the left-out pods may have it.
   */
  @Override
  public List<Decl> read(List<SourceFile> files, Diagnostics diags) {
    List<KubeObject> objects = new ArrayList<>();
    Cluster cluster = new Cluster();
    for (SourceFile file : files) {
      Yaml yaml = Yaml.of(file);
      Fields base = new Fields(yaml, diags, "this document");
      int errors = diags.errorCount();
      List<Node> documents = yaml.documents(diags, true);
      if (diags.errorCount() != errors) {
        cluster.leftOut(Optional.empty()); // a document that does not read may hold any kind
      }
      for (Node doc : documents) {
        if (!Fields.isNull(doc)) {
          collect(base, base.root(doc), objects, cluster);
        }
      }
    }
    objects = withoutDuplicates(objects, diags, cluster);
    for (KubeObject o : objects) {
      if (o.kind().text().equals("Namespace")) {
        Cluster.Namespace ns = cluster.namespace(o.name());
        unlessErrors(o, cluster, () -> metadata(o).flatMap(m -> Fields.get(m, "labels"))
            .map(l -> new Selectors(o.f()).labels(l)).or(() -> Optional.of(List.of())))
            .ifPresent(ns.labels::addAll);
      }
    }
    // (the namespace an object names is there even when the object is left out)
    objects.stream().filter(o -> !o.broken()).forEach(o -> cluster.namespace(o.namespace()));
    Workloads workloads = new Workloads();
    for (KubeObject o : objects) {
      if (Kinds.WORKLOADS.contains(o.kind().text())) {
        unlessErrors(o, cluster, () -> Optional.of(workloads.read(o)))
            .ifPresent(pods -> pods.forEach(p -> cluster.add(p, o.namespace())));
      }
    }
    Services services = new Services(cluster);
    List<KubeObject> serviceObjects = objects.stream().filter(o -> o.kind().text().equals("Service")).toList();
    serviceObjects.forEach(services::reserve);
    serviceObjects.forEach(services::choose);
    List<Decl.Service> declared = new ArrayList<>();
    List<String> namespaceOf = new ArrayList<>();
    for (KubeObject o : serviceObjects) {
      int errors = diags.errorCount();
      Optional<Decl.Service> s = unlessErrors(o, cluster, () -> services.read(o));
      if (s.isPresent()) {
        cluster.namespace(o.namespace()).members.add(s.get());
        declared.add(s.get());
        namespaceOf.add(o.namespace().text());
      } else if (o.broken() || diags.errorCount() != errors) {
        services.leftOut(o);
      }
    }
    services.collisions(declared, namespaceOf, diags);
    NetworkPolicies policies = new NetworkPolicies(cluster);
    for (KubeObject o : objects) {
      if (o.kind().text().equals("NetworkPolicy")) {
        unlessErrors(o, cluster, () -> policies.read(o))
            .ifPresent(p -> cluster.namespace(o.namespace()).members.add(p));
      }
    }
    List<Decl> out = new ArrayList<>();
    PodNetwork.declare(cluster, Span.at(files.get(0), 0)).ifPresent(out::add);
    out.addAll(cluster.declarations());
    return out;
  }

  /**
   * What {@code read} makes of {@code o}, when reading it reported no error (and it is not
   * {@linkplain KubeObject#broken broken}); else nothing, and the object is left out.
   */
  private static <T> Optional<T> unlessErrors(KubeObject o, Cluster cluster,
      java.util.function.Supplier<Optional<T>> read) {
    int errors = o.f().diags().errorCount();
    Optional<T> made = read.get();
    if (o.f().diags().errorCount() == errors && !o.broken()) {
      return made;
    }
    leftOut(o.kind().text(), o.f(), o.fields(), cluster);
    return Optional.empty();
  }

  /**
   * Notes in {@code cluster} that an object of kind {@code kind} and top-level fields {@code
   * fields} is left out for an error. A Pod's addresses still count for the pod network's subnet
   * ({@link Workloads#addressesOfLeftOut}): the subnet is the same once the Pod is fixed.
   */
  private static void leftOut(String kind, Fields f, Map<String, At> fields, Cluster cluster) {
    cluster.leftOut(Optional.of(kind));
    if (kind.equals("Pod")) {
      cluster.leftOutPodAddresses(Workloads.addressesOfLeftOut(f, fields));
    }
  }

  /**
   * The objects but those that repeat the kind, namespace and name of one before them: in the
   * cluster the later would replace the earlier, so which one the file means is unclear.
   */
  private static List<KubeObject> withoutDuplicates(List<KubeObject> objects, Diagnostics diags,
      Cluster cluster) {
    Map<String, KubeObject> first = new java.util.HashMap<>();
    List<KubeObject> out = new ArrayList<>();
    for (KubeObject o : objects) {
      if (o.broken()) {
        out.add(o); // (its namespace is not known)
        continue;
      }
      String key = o.kind().text() + "/" + o.namespace().text() + "/" + o.name().text();
      KubeObject earlier = first.putIfAbsent(key, o);
      if (earlier == null) {
        out.add(o);
        continue;
      }
      leftOut(o.kind().text(), o.f(), o.fields(), cluster);
      String where = o.kind().text().equals("Namespace") ? "" : " in namespace `" + o.namespace().text() + "`";
      diags.add(Diagnostic.of(Code.NETC102, o.name().span(), o.describe() + where
              + " is declared twice; the second is left out")
          .withRelated(earlier.name().span(), "first declared here")
          .withHint("Kubernetes keeps the one applied last: remove one of them, or rename it"));
    }
    return out;
  }

  /**
   * Adds the object {@code doc} is, or the objects of the list it is. One with an error in what
   * names it (no mapping, no kind, no name) is left out of {@code cluster}: as an object of its
   * kind, or of any kind when its kind does not read.
   */
  private void collect(Fields base, At doc, List<KubeObject> out, Cluster cluster) {
    int errors = base.diags().errorCount();
    Optional<Map<String, At>> fields = base.map(doc);
    if (fields.isEmpty()) {
      cluster.leftOut(Optional.empty());
      return;
    }
    Optional<Word> apiVersion = base.required(fields.get(), "apiVersion", doc);
    Optional<Word> kind = base.required(fields.get(), "kind", doc);
    if (apiVersion.isEmpty() || kind.isEmpty()) {
      // (a List's items may be of any kind)
      cluster.leftOut(kind.map(Word::text).filter(k -> !Kinds.list(k)));
      return;
    }
    String k = kind.get().text();
    if (Kinds.list(k)) {
      Optional<At> items = Fields.get(fields.get(), "items");
      List<At> list = items.map(base::list).orElse(List.of());
      if (base.diags().errorCount() != errors) {
        cluster.leftOut(Optional.empty()); // `items` is no list: what it holds is not known
      }
      for (At item : list) {
        collect(base, new At(item.node(), "", item.where()), out, cluster); // fields named from the item
      }
      return;
    }
    if (!Kinds.read(k, apiVersion.get().text())) {
      warnKind(base, kind.get(), apiVersion.get());
      return;
    }
    Fields anonymous = base.forObject(k);
    Optional<Map<String, At>> metadata = Fields.get(fields.get(), "metadata").flatMap(anonymous::map);
    if (metadata.isEmpty()) {
      if (fields.get().get("metadata") == null || Fields.isNull(fields.get().get("metadata").node())) {
        anonymous.missing(new At(doc.node(), "", kind.get().span()), "metadata");
      }
      leftOut(k, base, fields.get(), cluster);
      return;
    }
    Optional<Word> name = anonymous.required(metadata.get(), "name", fields.get().get("metadata"));
    if (name.isEmpty()) {
      leftOut(k, base, fields.get(), cluster);
      return;
    }
    Fields f = base.forObject(k + " `" + name.get().text() + "`");
    Optional<Word> namespace = Fields.get(metadata.get(), "namespace").flatMap(f::scalar);
    // a Namespace is its own namespace (it is cluster-scoped); others default to `default`
    Word ns = k.equals("Namespace") ? name.get()
        : namespace.orElse(new Word("default", name.get().span()));
    // broken: a namespace that is no single value (read for its errors, and left out)
    out.add(new KubeObject(kind.get(), name.get(), ns, fields.get(),
        new At(doc.node(), "", name.get().span()), f, base.diags().errorCount() != errors));
  }

  private static Optional<Map<String, At>> metadata(KubeObject o) {
    return Fields.get(o.fields(), "metadata").flatMap(o.f()::map);
  }

  private static void warnKind(Fields base, Word kind, Word apiVersion) {
    String k = kind.text();
    if (Kinds.quiet(k)) {
      return;
    }
    Diagnostic d;
    if (Kinds.READ.containsKey(k)) {
      d = Diagnostic.of(Code.NETC022, kind.span(), "`" + k + "` of API version `" + apiVersion.text()
              + "` is not the Kubernetes `" + k + "` netc reads, so it is ignored")
          .withHint("netc reads `" + k + "` of API group " + String.join(" or ",
              Kinds.READ.get(k).stream().sorted().map(g -> g.isEmpty() ? "`v1` (core)" : "`" + g + "`").toList()));
    } else if (Kinds.unsupported(k).isPresent()) {
      d = Diagnostic.of(Code.NETC022, kind.span(), "netc does not model `" + k + "`, which "
          + Kinds.unsupported(k).get() + ", so it is ignored");
    } else {
      d = Diagnostic.of(Code.NETC022, kind.span(), "netc does not know kind `" + k + "`, so it is"
              + " ignored; if it routes or filters traffic, the model misses that")
          .withHint("netc reads " + String.join(", ", Kinds.supported().stream().map(s -> "`" + s + "`").toList()));
    }
    base.diags().add(d);
  }
}
