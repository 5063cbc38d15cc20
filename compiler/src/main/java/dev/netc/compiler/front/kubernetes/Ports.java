package dev.netc.compiler.front.kubernetes;

import dev.netc.compiler.ast.Word;
import dev.netc.compiler.diag.Code;
import dev.netc.compiler.diag.Diagnostic;
import dev.netc.compiler.diag.Spelling;
import dev.netc.compiler.ir.Protocol;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.snakeyaml.engine.v2.common.ScalarStyle;
import org.snakeyaml.engine.v2.nodes.ScalarNode;

/**
 * Ports and protocols as Kubernetes writes them ({@code port: 80}, {@code protocol: UDP}, a port
 * name where an IntOrString is allowed), turned into the port words of the AST ({@code 80/udp}),
 * which point at the number in the YAML so that the resolver's port errors land there.
 */
final class Ports {
  private static final List<String> PROTOCOLS = List.of("TCP", "UDP", "SCTP");

  private Ports() {}

  /** The {@code protocol} field of {@code fields}: TCP when absent; empty after an error. */
  static Optional<Protocol> protocol(Fields f, Map<String, At> fields) {
    Optional<At> at = Fields.get(fields, "protocol");
    if (at.isEmpty()) {
      return Optional.of(Protocol.TCP);
    }
    Optional<Word> w = f.scalar(at.get());
    if (w.isEmpty()) {
      return Optional.empty();
    }
    if (PROTOCOLS.contains(w.get().text())) {
      return Protocol.parse(w.get().text().toLowerCase(Locale.ROOT));
    }
    String hint = Spelling.suggest(w.get().text().toUpperCase(Locale.ROOT), PROTOCOLS)
        .map(s -> "did you mean `" + s + "`? ").orElse("")
        + "Kubernetes protocols are `TCP`, `UDP` and `SCTP`, in capitals";
    f.diags().add(Diagnostic.of(Code.NETC204, w.get().span(), "unknown protocol `" + w.get().text()
        + "` in `" + at.get().path() + "`").withHint(hint));
    return Optional.empty();
  }

  /**
   * Whether the IntOrString at {@code at}, read as {@code w}, is a number written as a string
   * ({@code "8080"}, quoted): the API takes a string for a port name, which must have a letter,
   * and refuses it. NETC020 then.
   */
  static boolean quotedNumber(Fields f, At at, Word w) {
    if (isNumber(w) && at.node() instanceof ScalarNode n && n.getScalarStyle() != ScalarStyle.PLAIN) {
      f.diags().add(Diagnostic.of(Code.NETC020, w.span(), "`" + at.path() + "` of " + f.owner() + " is the string `\""
              + w.text() + "\"`, which Kubernetes takes for a port name and refuses (a port name has a letter)")
          .withHint("write the number without quotes: `" + w.text() + "`"));
      return true;
    }
    return false;
  }

  /** Whether an IntOrString value is a number (else it names a container port). */
  static boolean isNumber(Word w) {
    return !w.text().isEmpty() && w.text().chars().allMatch(Character::isDigit);
  }

  /** {@code 80/tcp}, pointing at the {@code 80}. */
  static Word word(Word number, Protocol protocol) {
    return new Word(number.text() + "/" + protocol.label(), number.span());
  }

  /** {@code 80/tcp} for a number resolved from a port name, pointing at the name. */
  static Word word(int number, Protocol protocol, Word at) {
    return new Word(number + "/" + protocol.label(), at.span());
  }
}
