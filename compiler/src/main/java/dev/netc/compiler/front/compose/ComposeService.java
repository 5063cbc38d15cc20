package dev.netc.compiler.front.compose;

import dev.netc.compiler.ast.Decl;
import dev.netc.compiler.ast.Label;
import dev.netc.compiler.ast.Setting;
import dev.netc.compiler.ast.Word;
import dev.netc.compiler.source.Span;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * One Compose service as read, in the parts of a {@code .netc} container declaration, plus the
 * service whose network namespace it shares ({@code network_mode: service:NAME}), if any.
 */
final class ComposeService {
  final Word name;
  final Span span;
  final List<Label> labels = new ArrayList<>();
  final List<Setting> settings = new ArrayList<>();
  final List<Decl.Attach> attaches = new ArrayList<>();
  final List<Decl.Publish> publishes = new ArrayList<>();
  final List<Setting> exposes = new ArrayList<>();
  /** {@code NAME} of {@code network_mode: service:NAME}, spanning the name */
  Optional<Word> joins = Optional.empty();

  ComposeService(Word name, Span span) {
    this.name = name;
    this.span = span;
  }

  /** As a container of its own. */
  Decl.Container container() {
    return new Decl.Container(false, name, labels, settings, attaches, publishes, exposes,
        List.of(), span);
  }

  /** As a member of a pod: a member only says what it exposes. */
  Decl.Container member() {
    return new Decl.Container(false, name, List.of(), List.of(), List.of(), List.of(), exposes,
        List.of(), span);
  }

  /** As a pod whose members share its network namespace: itself first, then the others. */
  Decl.Container pod(List<ComposeService> joiners) {
    List<Decl.Container> members = new ArrayList<>();
    members.add(member());
    joiners.forEach(j -> members.add(j.member()));
    return new Decl.Container(true, name, labels, settings, attaches, publishes, List.of(),
        members, span);
  }
}
