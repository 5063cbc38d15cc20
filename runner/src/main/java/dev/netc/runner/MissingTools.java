package dev.netc.runner;

import java.util.Map;
import java.util.regex.Pattern;

/** The tools netc runs, the Debian packages that have them, and how a missing one is told. */
final class MissingTools {
  /** What {@code ip netns exec} prints when the command it runs is not on the PATH. */
  static final Pattern EXEC_FAILED = Pattern.compile("exec of \"([^\"]+)\" failed: No such file or directory");

  /** The Debian package of each tool netc runs, for a user who lacks one. */
  private static final Map<String, String> PACKAGES = Map.of("ip", "iproute2", "bridge", "iproute2", "nft", "nftables",
      "sysctl", "procps", "nsenter", "util-linux", "setsid", "util-linux", "xargs", "findutils");

  private MissingTools() {}

  /** See {@link CommandExecutor#notFound}. */
  static String notFound(String tool) {
    String pkg = PACKAGES.get(tool);
    return "cannot run `" + tool + "`: not found on the PATH"
        + (pkg == null ? "" : "; it comes with " + pkg + " (apt-get install " + pkg + ")");
  }
}
