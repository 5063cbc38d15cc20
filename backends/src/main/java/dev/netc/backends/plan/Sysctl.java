package dev.netc.backends.plan;

import java.util.regex.Pattern;

/**
 * A kernel setting of one network namespace, such as {@code net.ipv4.ip_forward = 1}.
 *
 * @param key dotted, as {@code sysctl} takes it; interface names in it hold no {@code .}
 * @param why one line for the comment beside it
 */
public record Sysctl(String namespace, String key, String value, String why) implements KernelObject {
  private static final Pattern KEY = Pattern.compile("net(\\.[a-z0-9_-]+)+");

  public Sysctl {
    KernelNames.checkNetns(namespace);
    if (!KEY.matcher(key).matches() || !value.matches("[0-9]+")) {
      throw new IllegalArgumentException("bad sysctl " + key + "=" + value);
    }
  }

  /** The file under {@code /proc/sys} that holds it (in the namespace). */
  public String path() {
    return "/proc/sys/" + key.replace('.', '/');
  }

  @Override
  public ObjectId id() {
    return new ObjectId(ObjectId.Kind.SYSCTL, namespace, key);
  }
}
