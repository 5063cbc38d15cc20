package dev.netc.backends.plan;

import dev.netc.compiler.ir.IpAddress;
import java.util.regex.Pattern;

/**
 * A static forwarding entry of a VXLAN device: frames for {@code mac} (the all-zeros address:
 * every frame the bridge floods, broadcasts and unknown destinations alike) are sent to the
 * remote host {@code dst} over the underlay. One per remote host of the overlay network, made
 * with {@code bridge fdb append} (several all-zeros entries of one device add up), so that the
 * network needs no learning, no multicast and no key-value store: the compiler computes them.
 */
public record FdbEntry(String namespace, String device, String mac, IpAddress dst) implements KernelObject {
  /** The address of the default entry. */
  public static final String ALL_ZEROS = "00:00:00:00:00:00";
  private static final Pattern MAC = Pattern.compile("[0-9a-f]{2}(:[0-9a-f]{2}){5}");

  public FdbEntry {
    KernelNames.checkNetns(namespace);
    KernelNames.checkIfname(device);
    if (!MAC.matcher(mac).matches()) {
      throw new IllegalArgumentException("bad MAC address `" + mac + "`");
    }
  }

  /** The {@code bridge -batch} line that creates it. */
  public String command() {
    return "fdb append " + mac + " dev " + device + " dst " + dst;
  }

  /** The line that deletes it. */
  public String deletion() {
    return "fdb del " + mac + " dev " + device + " dst " + dst;
  }

  @Override
  public ObjectId id() {
    return new ObjectId(ObjectId.Kind.FDB, namespace, device + "/" + mac + "/" + dst);
  }
}
