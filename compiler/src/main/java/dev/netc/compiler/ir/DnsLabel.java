package dev.netc.compiler.ir;

import java.util.regex.Pattern;

/**
 * The rule for a name netc gives an endpoint, a network or an alias: a lower-case DNS label (it
 * becomes a namespace, an interface alias and a name in the hosts files), at most 63 characters.
 */
public final class DnsLabel {
  private static final Pattern LABEL = Pattern.compile("[a-z0-9]([a-z0-9-]*[a-z0-9])?");

  private DnsLabel() {}

  /** Whether {@code t} is such a name. */
  public static boolean is(String t) {
    return t.length() <= 63 && LABEL.matcher(t).matches();
  }
}
