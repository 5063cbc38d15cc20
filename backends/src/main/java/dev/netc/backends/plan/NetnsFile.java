package dev.netc.backends.plan;

import java.util.Set;

/**
 * A file under {@code /etc/netns/NS/}: {@code ip netns exec NS CMD} bind-mounts it over the file
 * of the same name in {@code /etc} for {@code CMD}, which is how each endpoint gets its own
 * {@code hosts} and {@code resolv.conf}.
 *
 * @param netns the endpoint namespace the file is for
 * @param file {@code hosts} or {@code resolv.conf}
 * @param content the whole file; its first line is the ownership mark
 */
public record NetnsFile(String netns, String file, String content) implements KernelObject {
  private static final Set<String> FILES = Set.of("hosts", "resolv.conf");

  public NetnsFile {
    if (netns.isEmpty() || !KernelNames.validNetns(netns) || !FILES.contains(file)) {
      throw new IllegalArgumentException("bad netns file " + netns + "/" + file);
    }
  }

  public String path() {
    return "/etc/netns/" + netns + "/" + file;
  }

  @Override
  public ObjectId id() {
    return new ObjectId(ObjectId.Kind.FILE, netns, path());
  }
}
