package dev.netc.compiler.lower;

import dev.netc.compiler.ast.Word;
import dev.netc.compiler.diag.Code;
import dev.netc.compiler.diag.Diagnostic;
import dev.netc.compiler.diag.Diagnostics;
import dev.netc.compiler.diag.Spelling;
import dev.netc.compiler.ir.Cidr;
import dev.netc.compiler.ir.IpAddress;
import dev.netc.compiler.ir.Parsed;
import dev.netc.compiler.ir.PortRange;
import dev.netc.compiler.ir.PortSpec;
import dev.netc.compiler.ir.Protocol;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * Reads typed values from words, reporting a positioned diagnostic for each malformed one. Every
 * method returns empty after reporting, so callers simply skip what could not be read.
 */
final class Values {
  private static final Pattern LABEL_NAME = Pattern.compile("[A-Za-z0-9]([A-Za-z0-9_.-]*[A-Za-z0-9])?");
  private static final Pattern DNS_SUBDOMAIN =
      Pattern.compile("[a-z0-9]([a-z0-9-]*[a-z0-9])?(\\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*");
  private static final Pattern IFNAME = Pattern.compile("[A-Za-z0-9_.@-]{1,15}");
  private static final Pattern MAC = Pattern.compile("[0-9a-fA-F]{2}(:[0-9a-fA-F]{2}){5}");

  private final Diagnostics diags;

  Values(Diagnostics diags) {
    this.diags = diags;
  }

  void report(Code code, Word at, String message, String hint) {
    Diagnostic d = Diagnostic.of(code, at.span(), message);
    diags.add(hint == null ? d : d.withHint(hint));
  }

  Optional<IpAddress> ip(Word w) {
    return ip(w, "write an IPv4 address as `10.0.0.1` or an IPv6 address as `fd00::1`");
  }

  /** As {@link #ip(Word)}, with {@code hint} for what is no address at all. */
  Optional<IpAddress> ip(Word w, String hint) {
    Parsed<IpAddress> p = IpAddress.parse(w.text());
    if (!p.ok()) {
      boolean leadingZero = w.text().matches("[0-9.]+") && w.text().matches(".*(^|\\.)0[0-9].*");
      report(Code.NETC201, w, "expected an IP address, got `" + w.text() + "`", leadingZero
          ? "a part of an IPv4 address has no leading zero (it would read as octal elsewhere)"
          : hint);
    }
    return p.value();
  }

  Optional<Cidr> cidr(Word w) {
    Parsed<Cidr> p = Cidr.parse(w.text());
    if (!p.ok()) {
      report(Code.NETC202, w, p.error(), null);
    }
    return p.value();
  }

  /** An integer in {@code [min, max]}, described as {@code what} ("an MTU"). */
  OptionalInt integer(Word w, int min, int max, String what) {
    String t = w.text();
    if (!t.isEmpty() && t.length() <= 10 && t.chars().allMatch(Character::isDigit)) {
      long v = Long.parseLong(t);
      if (v >= min && v <= max) {
        return OptionalInt.of((int) v);
      }
    }
    report(Code.NETC206, w, "expected " + what + " in " + min + "-" + max + ", got `" + t + "`", null);
    return OptionalInt.empty();
  }

  Optional<Protocol> protocol(Word at, String text) {
    Optional<Protocol> p = Protocol.parse(text);
    if (p.isEmpty()) {
      List<String> names = Arrays.stream(Protocol.values()).map(Protocol::label).toList();
      String hint = Spelling.suggest(text, names).map(s -> "did you mean `" + s + "`? ").orElse("")
          + "the protocols are `tcp`, `udp` and `sctp`";
      report(Code.NETC204, at, "unknown protocol `" + text + "`", hint);
    }
    return p;
  }

  Optional<PortRange> ports(Word at, String text) {
    Parsed<PortRange> p = PortRange.parse(text);
    if (!p.ok()) {
      report(Code.NETC203, at, p.error(), null);
    }
    return p.value();
  }

  /** {@code PORTS[/PROTO]}; the protocol defaults to tcp. */
  Optional<PortSpec> portSpec(Word w) {
    String t = w.text();
    int slash = t.indexOf('/');
    Optional<PortRange> range = ports(w, slash < 0 ? t : t.substring(0, slash));
    Optional<Protocol> proto =
        slash < 0 ? Optional.of(Protocol.TCP) : protocol(w, t.substring(slash + 1));
    if (range.isEmpty() || proto.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(new PortSpec(range.get(), proto.get()));
  }

  /** A name that becomes a namespace, interface alias and DNS name: a lower-case DNS label. */
  boolean name(Word w, String what) {
    return name(w, () -> what + " name `" + w.text() + "`");
  }

  /**
   * {@link #name(Word, String)}, the message's subject ({@code service name `my_api`}) given by
   * {@code subject}, which is asked only when the name is reported.
   */
  boolean name(Word w, Supplier<String> subject) {
    String t = w.text();
    if (isName(t)) {
      return true;
    }
    String fixed = t.toLowerCase(java.util.Locale.ROOT).replaceAll("[^a-z0-9-]+", "-")
        .replaceAll("^-+|-+$", "");
    if (fixed.length() > 63) {
      fixed = fixed.substring(0, 63).replaceAll("-+$", "");
    }
    String hint = "use lower-case letters, digits and `-`, at most 63 characters, starting and ending"
        + " with a letter or digit" + (fixed.isEmpty() ? "" : ", such as `" + fixed + "`");
    report(Code.NETC103, w, subject.get() + " cannot become a kernel or DNS name", hint);
    return false;
  }

  /** Whether {@code t} is a name {@link #name(Word, String)} accepts, without reporting. */
  static boolean isName(String t) {
    return dev.netc.compiler.ir.DnsLabel.is(t);
  }

  /** A Linux interface name: at most 15 bytes, no `/`, `:` or white space. */
  boolean interfaceName(Word w) {
    if (IFNAME.matcher(w.text()).matches() && !w.text().equals(".") && !w.text().equals("..")) {
      return true;
    }
    report(Code.NETC103, w, "`" + w.text() + "` cannot be a Linux interface name",
        "an interface name has 1-15 characters from letters, digits and `_ . @ -`");
    return false;
  }

  boolean mac(Word w) {
    if (MAC.matcher(w.text()).matches()
        && (Integer.parseInt(w.text().substring(0, 2), 16) & 1) == 0) {
      return true;
    }
    boolean wellFormed = MAC.matcher(w.text()).matches();
    report(Code.NETC201, w, "expected a unicast MAC address such as `02:42:ac:11:00:02`, got `"
        + w.text() + "`", wellFormed
        ? "the lowest bit of the first byte is set, which makes it a multicast address"
        : "write six two-digit hexadecimal bytes separated by `:`");
    return false;
  }

  /** A Kubernetes label key: an optional DNS-subdomain prefix and `/`, then a name. */
  boolean labelKey(Word w) {
    String t = w.text();
    int slash = t.lastIndexOf('/');
    String prefix = slash < 0 ? null : t.substring(0, slash);
    String name = slash < 0 ? t : t.substring(slash + 1);
    boolean ok = name.length() <= 63 && LABEL_NAME.matcher(name).matches()
        && (prefix == null || (prefix.length() <= 253 && DNS_SUBDOMAIN.matcher(prefix).matches()));
    if (!ok) {
      report(Code.NETC107, w, "invalid label key `" + t + "`",
          "a key is a name of at most 63 letters, digits and `-_.`, starting and ending with a letter"
              + " or digit, optionally after a DNS prefix and `/`, as in `app.kubernetes.io/name`");
    }
    return ok;
  }

  boolean labelValue(Word w) {
    String t = w.text();
    if (t.isEmpty() || (t.length() <= 63 && LABEL_NAME.matcher(t).matches())) {
      return true;
    }
    report(Code.NETC107, w, "invalid label value `" + t + "`",
        "a value is empty or at most 63 letters, digits and `-_.`, starting and ending with a letter"
            + " or digit");
    return false;
  }

  /** One of {@code choices}, else NETC105 with a suggestion. */
  Optional<String> choice(Word w, String what, List<String> choices) {
    if (choices.contains(w.text())) {
      return Optional.of(w.text());
    }
    String hint = Spelling.suggest(w.text(), choices).map(s -> "did you mean `" + s + "`? ").orElse("")
        + "expected one of: " + String.join(", ", choices.stream().map(c -> "`" + c + "`").toList());
    report(Code.NETC105, w, "unknown " + what + " `" + w.text() + "`", hint);
    return Optional.empty();
  }
}
