package dev.netc.compiler.ipam;

import java.nio.file.Path;

/**
 * The lock file of a compiled topology: where it lives, what it held and what it should hold now.
 *
 * @param existed whether the file was there
 */
public record LockState(Path path, boolean existed, Lock before, Lock after) {
  public boolean changed() {
    return !existed ? !after.isEmpty() : !before.equals(after);
  }

  /** The lock file of the topology whose root file is {@code root}: {@code NAME.lock} beside it. */
  public static Path pathFor(Path root) {
    String file = root.getFileName() == null ? "topology" : root.getFileName().toString();
    int dot = file.lastIndexOf('.');
    return root.resolveSibling((dot > 0 ? file.substring(0, dot) : file) + ".lock");
  }
}
