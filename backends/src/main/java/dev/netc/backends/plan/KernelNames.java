package dev.netc.backends.plan;

import dev.netc.compiler.ir.Parsed;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.regex.Pattern;

/**
 * The names that reach the kernel: network namespace names and interface names, derived from the
 * IR's names and validated before any command can see them.
 *
 * <p>Interface names are at most 15 bytes ({@code IFNAMSIZ - 1}). A derived name is the kind's
 * prefix plus a readable part when that fits; otherwise the prefix, the first characters of the
 * readable part (after its namespace, if any), {@code _} and a base-32 hash of the object's full
 * identity. IR names are DNS
 * labels (and {@code /} between a namespace and a pod), so a readable part never holds {@code _}:
 * a hashed name never equals a readable one.
 */
public final class KernelNames {
  /** The longest interface name the kernel takes. */
  public static final int IFNAME_MAX = 15;
  /** The longest network namespace name: a file name under {@code /run/netns}. */
  public static final int NETNS_MAX = 255;
  /** The longest sandbox name: it prefixes every namespace of the sandbox. */
  public static final int SANDBOX_MAX = 32;

  private static final Pattern IFNAME = Pattern.compile("[a-z0-9][a-z0-9._-]*");
  private static final Pattern NETNS = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*");
  private static final Pattern SANDBOX = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]*");
  private static final char[] BASE32 = "abcdefghijklmnopqrstuvwxyz234567".toCharArray();

  private KernelNames() {}

  /** Whether {@code name} is an interface name netc may give: 1-15 bytes of {@code a-z 0-9 . _ -}. */
  public static boolean validIfname(String name) {
    return name.length() <= IFNAME_MAX && IFNAME.matcher(name).matches()
        && !name.equals(".") && !name.equals("..");
  }

  /** Whether {@code name} is a network namespace name netc may give (also a safe file name). */
  public static boolean validNetns(String name) {
    return !name.isEmpty() && name.getBytes(StandardCharsets.UTF_8).length <= NETNS_MAX
        && NETNS.matcher(name).matches() && !name.contains("..");
  }

  /** Checks a name and returns it; a bad derived name is a bug in netc, not a user error. */
  public static String checkIfname(String name) {
    if (!validIfname(name)) {
      throw new IllegalArgumentException("not a valid interface name: `" + name + "`");
    }
    return name;
  }

  /** Checks a namespace name and returns it ({@code ""} is the real host namespace). */
  public static String checkNetns(String name) {
    if (!name.isEmpty() && !validNetns(name)) {
      throw new IllegalArgumentException("not a valid network namespace name: `" + name + "`");
    }
    return name;
  }

  /**
   * Reads a sandbox name given on the command line: 1-32 characters of letters, digits and
   * {@code _ . -}, starting with a letter or digit.
   */
  public static Parsed<String> sandbox(String text) {
    if (text.isEmpty() || text.length() > SANDBOX_MAX || !SANDBOX.matcher(text).matches()
        || text.contains("..")) {
      return Parsed.error("expected a sandbox name of 1-" + SANDBOX_MAX
          + " letters, digits, `_`, `.` or `-` starting with a letter or digit, got `" + text + "`");
    }
    return Parsed.ok(text);
  }

  /**
   * The part of an endpoint's name that goes into kernel names: {@code ns/pod} becomes {@code
   * ns.pod}. Endpoint names are DNS labels, so the mapping is one to one.
   */
  public static String endpointPart(String endpoint) {
    return endpoint.replace('/', '.');
  }

  /**
   * The namespace of an endpoint: {@code S-ENDPOINT} in sandbox {@code S}, else {@code
   * netc-TOPOLOGY-ENDPOINT}.
   */
  public static String endpointNamespace(String topology, String endpoint, String sandbox) {
    String base = sandbox.isEmpty() ? "netc-" + topology : sandbox;
    return checkNetns(base + "-" + endpointPart(endpoint));
  }

  /**
   * The namespace of host {@code host} in sandbox {@code S} when the topology has several hosts:
   * {@code S-host_HOST}. Endpoint names never hold {@code _}, so no endpoint namespace ({@code
   * S-ENDPOINT}) and not {@code S-outside} can take it.
   */
  public static String hostNamespace(String sandbox, String host) {
    if (sandbox.isEmpty() || host.contains("_")) {
      throw new IllegalArgumentException("no host namespace for `" + host + "` without a sandbox");
    }
    return checkNetns(sandbox + "-host_" + host);
  }

  /**
   * An interface name: {@code prefix + readable} when it fits in 15 bytes, else {@code prefix}, the
   * first characters of {@code readable}, {@code _} and a hash of {@code key} (with {@code salt}
   * appended when not 0, to step past a collision).
   */
  public static String ifname(String prefix, String readable, String key, int salt) {
    String plain = prefix + readable;
    if (salt == 0 && validIfname(plain)) {
      return plain;
    }
    int hashLength = 7;
    int keep = IFNAME_MAX - prefix.length() - 1 - hashLength;
    // the pod's name reads better than its namespace's: `shop.frontend-1-0` keeps `fron`
    String tail = readable.substring(readable.lastIndexOf('.') + 1);
    String head = tail.substring(0, Math.min(keep, tail.length()));
    return checkIfname(prefix + head + "_" + hash(salt == 0 ? key : key + "#" + salt, hashLength));
  }

  /** {@code chars} base-32 characters of the SHA-256 of {@code key}: stable across runs. */
  public static String hash(String key, int chars) {
    byte[] digest;
    try {
      digest = MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
    StringBuilder out = new StringBuilder();
    int bits = 0;
    int value = 0;
    for (byte b : digest) {
      value = (value << 8) | (b & 0xff);
      bits += 8;
      while (bits >= 5 && out.length() < chars) {
        out.append(BASE32[(value >>> (bits - 5)) & 31]);
        bits -= 5;
      }
      if (out.length() == chars) {
        break;
      }
    }
    return out.toString();
  }
}
