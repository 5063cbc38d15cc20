package dev.netc.compiler.front.kubernetes;

import dev.netc.compiler.ast.Word;
import dev.netc.compiler.diag.Code;
import dev.netc.compiler.diag.Diagnostic;
import dev.netc.compiler.ir.Protocol;
import java.util.List;
import java.util.Locale;
import java.util.TreeSet;

/**
 * Resolves a port name (a Service's {@code targetPort: http}, a NetworkPolicy's {@code port:
 * http}) to the numbers the pods it concerns give that name, in that protocol, as Kubernetes
 * does pod by pod. netc's services and rules carry one set of ports for all their pods, so a
 * name that means different numbers on different pods is widened to all of them, and its number
 * holds on the pods without the name too (NETC026), and a name no pod has means no port at all
 * (NETC025).
 */
final class NamedPorts {
  private NamedPorts() {}

  /**
   * The numbers, sorted; empty (after NETC025) when no pod has the name. NETC025 is not told when
   * {@code cluster} {@linkplain Cluster#podsMayBeMissing may miss pods}: the pods of an object left
   * out for an error may have the name. Neither NETC025 nor NETC026 is told when {@code pods} are
   * not {@code known}: looked up in the namespace of a {@linkplain KubeObject#broken broken}
   * object, which is not the one it means.
   *
   * @param known whether {@code pods} are those the name concerns
   * @param whose the pods, as the message names them ("the pods Service `web` selects")
   * @param effect what an unresolved name means ("this port forwards nothing")
   */
  static List<Integer> resolve(Fields f, Cluster cluster, Word name, Protocol protocol, List<Cluster.Pod> pods,
      boolean known, String whose, String effect) {
    return resolve(f, cluster, name, protocol, pods, known, whose, effect,
        numbers -> numbers.size() > 1 ? "netc applies every one of them to each pod"
            : "netc applies it to each of them, where Kubernetes admits nothing on a pod without the name",
        "no pod is concerned at all (an ipBlock matches addresses, not pods; or check the selectors);"
            + " give the port's number instead");
  }

  /**
   * The same, {@code widened} saying what netc does with the numbers when there are several (a
   * Service port forwards to one of them), and {@code noPods} the hint when no pod is concerned.
   */
  static List<Integer> resolve(Fields f, Cluster cluster, Word name, Protocol protocol, List<Cluster.Pod> pods,
      boolean known, String whose, String effect, java.util.function.Function<List<Integer>, String> widened, String noPods) {
    TreeSet<Integer> numbers = new TreeSet<>();
    for (Cluster.Pod p : pods) {
      for (Cluster.NamedPort np : p.namedPorts()) {
        if (np.name().equals(name.text()) && np.protocol() == protocol) {
          numbers.add(np.number());
        }
      }
    }
    String proto = protocol.label().toUpperCase(Locale.ROOT);
    if (!known || (numbers.isEmpty() && cluster.podsMayBeMissing())) {
      return List.copyOf(numbers);
    }
    if (numbers.isEmpty()) {
      f.diags().add(Diagnostic.of(Code.NETC025, name.span(), "none of " + whose + " has a "
              + proto + " container port named `" + name.text() + "`, so " + effect)
          .withHint(pods.isEmpty() ? noPods
              : "name the port in the pods' `ports` (`name: " + name.text() + "`), or give its number"));
      return List.of();
    }
    // the pods that give no port that name (Kubernetes resolves it to nothing on them)
    List<String> without = pods.stream().filter(p -> p.namedPorts().stream()
            .noneMatch(np -> np.name().equals(name.text()) && np.protocol() == protocol))
        .map(p -> "`" + p.decl().name().text() + "`").toList();
    if (numbers.size() > 1 || !without.isEmpty()) {
      String is = String.join(" or ", numbers.stream().map(n -> "`" + n + "`").toList())
          + (numbers.size() > 1 ? " depending on the pod" : "") + " among " + whose;
      String missing = without.isEmpty() ? ""
          : ", and no port at all on " + String.join(", ", without.subList(0, Math.min(3, without.size())))
              + (without.size() > 3 ? " and " + (without.size() - 3) + " more" : "");
      f.diags().add(Diagnostic.of(Code.NETC026, name.span(), "port name `" + name.text() + "` is " + is + missing
              + "; " + widened.apply(List.copyOf(numbers)))
          .withHint(without.isEmpty() ? "give the port one number in every pod, or write the numbers instead of the name"
              : "name the port in every pod it is about (`name: " + name.text() + "`), or write its number instead"
                  + " of the name"));
    }
    return List.copyOf(numbers);
  }
}
