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

  public static Optional<Frontend> forFile(SourceFile file) {
    if (!Yaml.looksLikeYaml(file)) {
      return Optional.empty(); // no line of a .netc file starts with `key:`: skip YAML parsing
    }
    return ALL.stream().filter(f -> f.accepts(file)).findFirst();
  }
}
