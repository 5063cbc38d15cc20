package dev.netc.compiler.front;

import dev.netc.compiler.front.compose.ComposeFrontend;
import dev.netc.compiler.front.kubernetes.KubernetesFrontend;
import dev.netc.compiler.source.SourceFile;
import java.util.List;
import java.util.Optional;

/** The registry of foreign front ends; a file none of them accepts is read as {@code .netc}. */
public final class Frontends {
  /** The Kubernetes front end, the one that reads several files as one topology. */
  public static final KubernetesFrontend KUBERNETES = new KubernetesFrontend();

  public static final List<Frontend> ALL = List.of(KUBERNETES, new ComposeFrontend());

  private Frontends() {}

  /** The language an input file is written in. */
  public enum Input { NETC, COMPOSE, KUBERNETES }

  /**
   * The language {@code file} is written in, judged by its content as the compiler reads it
   * ({@link #forFile}), once per file (by identity: SourceFile keeps Object's equals), so that a
   * message or hint names the keys its author wrote: a Compose file says {@code network_mode:
   * host} where {@code .netc} says {@code mode host}, and Kubernetes {@code hostNetwork: true}.
   */
  public static Input input(SourceFile file) {
    return INPUTS.computeIfAbsent(file, f -> forFile(f).map(Frontend::name)
        .map(n -> n.equals(KUBERNETES.name()) ? Input.KUBERNETES : Input.COMPOSE).orElse(Input.NETC));
  }

  private static final java.util.Map<SourceFile, Input> INPUTS =
      java.util.Collections.synchronizedMap(new java.util.WeakHashMap<>());

  public static Optional<Frontend> forFile(SourceFile file) {
    if (!Yaml.looksLikeYaml(file)) {
      return Optional.empty(); // no line of a .netc file starts with `key:`: skip YAML parsing
    }
    return ALL.stream().filter(f -> f.accepts(file)).findFirst();
  }
}
