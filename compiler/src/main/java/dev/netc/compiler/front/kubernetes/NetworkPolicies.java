package dev.netc.compiler.front.kubernetes;

import dev.netc.compiler.ast.Decl;
import dev.netc.compiler.ast.SelectorAst;
import dev.netc.compiler.ast.Setting;
import dev.netc.compiler.ast.Word;
import dev.netc.compiler.diag.Code;
import dev.netc.compiler.diag.Diagnostic;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Turns NetworkPolicies (networking.k8s.io/v1) into policy declarations. The pod selector becomes
 * {@code select}; the policy types, defaulted as Kubernetes does (Ingress always, Egress when the
 * policy has egress rules), become {@code isolate}, so that a type with no rules isolates; each
 * ingress or egress rule becomes an {@code allow} rule, whose peers and ports {@link PolicyRules}
 * reads. Rules of a direction that explicit {@code policyTypes} leave out have no effect in
 * Kubernetes and are left out (NETC024).
 */
final class NetworkPolicies {
  private static final List<String> TYPES = List.of("Ingress", "Egress");

  private final Cluster cluster;

  NetworkPolicies(Cluster cluster) {
    this.cluster = cluster;
  }

  Optional<Decl.Policy> read(KubeObject o) {
    Fields f = o.f();
    Optional<At> specAt = Fields.get(o.fields(), "spec");
    if (specAt.isEmpty()) {
      f.missing(o.root(), "spec");
      return Optional.empty();
    }
    Optional<Map<String, At>> spec = f.map(specAt.get());
    if (spec.isEmpty()) {
      return Optional.empty();
    }
    f.unknownFields(spec.get(), List.of("podSelector", "policyTypes", "ingress", "egress"), List.of());
    Optional<At> podSelectorAt = Fields.get(spec.get(), "podSelector");
    Optional<SelectorAst> select = podSelectorAt.isPresent()
        ? new Selectors(f).labelSelector(podSelectorAt.get())
        : Optional.of(new SelectorAst(true, List.of(), o.name().span()));
    Optional<At> ingressAt = Fields.get(spec.get(), "ingress");
    Optional<At> egressAt = Fields.get(spec.get(), "egress");
    List<At> ingress = ingressAt.map(f::list).orElse(List.of());
    List<At> egress = egressAt.map(f::list).orElse(List.of());
    Optional<At> typesAt = Fields.get(spec.get(), "policyTypes");
    Set<String> types = new LinkedHashSet<>();
    List<Word> typeWords = new ArrayList<>();
    List<At> explicit = typesAt.map(f::list).orElse(List.of());
    if (!explicit.isEmpty()) {
      for (At t : explicit) {
        Optional<Word> w = f.scalar(t);
        if (w.isEmpty() || f.choice(w.get(), "policy type", TYPES).isEmpty()) {
          return Optional.empty();
        }
        if (types.add(w.get().text())) {
          typeWords.add(new Word(w.get().text().toLowerCase(Locale.ROOT), w.get().span()));
        }
      }
    } else {
      types.add("Ingress");
      typeWords.add(new Word("ingress", o.name().span()));
      if (!egress.isEmpty()) {
        types.add("Egress");
        typeWords.add(new Word("egress", egressAt.get().where()));
      }
    }
    if (select.isEmpty()) {
      return Optional.empty();
    }
    List<Setting> isolates = new ArrayList<>();
    if (!typeWords.isEmpty()) {
      Word keyword = new Word("isolate", explicit.isEmpty() ? o.name().span() : typesAt.get().where());
      isolates.add(new Setting(keyword, typeWords, keyword.span()));
    }
    PolicyRules rules = new PolicyRules(f, cluster, o.namespace().text(), !o.broken(),
        cluster.pods(o.namespace().text(), Selectors.toIr(select.get())));
    List<Decl.Rule> out = new ArrayList<>();
    boolean ok = direction(o, "Ingress", types, ingressAt, ingress, rules, out);
    ok &= direction(o, "Egress", types, egressAt, egress, rules, out);
    if (!ok) {
      return Optional.empty();
    }
    return Optional.of(new Decl.Policy(o.name(), List.of(select.get()), isolates, out, o.name().span()));
  }

  private static boolean direction(KubeObject o, String type, Set<String> types, Optional<At> at,
      List<At> items, PolicyRules rules, List<Decl.Rule> out) {
    if (items.isEmpty()) {
      return true;
    }
    if (!types.contains(type)) {
      o.f().diags().add(Diagnostic.of(Code.NETC024, at.get().where(), "the "
              + type.toLowerCase(Locale.ROOT) + " rules of " + o.describe() + " have no effect:"
              + " its `policyTypes` do not include `" + type + "`")
          .withHint("add `" + type + "` to `policyTypes`, or remove these rules"));
      return true;
    }
    int errors = o.f().diags().errorCount();
    for (At item : items) {
      out.addAll(rules.rule(type.equals("Ingress"), item));
    }
    return o.f().diags().errorCount() == errors;
  }
}
