package dev.netc.compiler.model;

import dev.netc.compiler.ir.IpAddress;
import java.util.Optional;

/**
 * One way a connection from one node to another can take, with the addresses its packets carry
 * there, as the kernel's policy check sees them: the source address the sender's routes choose
 * for that destination (or the address it is translated to before policy sees it), and the
 * address the packet is delivered to (after DNAT). {@code cidr} peers are decided on these.
 *
 * @param path how the traffic gets there, as {@code netc explain} names it
 * @param source the packet's source address, empty when nothing decides on it (traffic no policy
 *     sees) or when the sender has no address of the family
 * @param destination the packet's destination address, empty likewise
 */
public record Flow(String path, Optional<IpAddress> source, Optional<IpAddress> destination) {
  static Flow of(String path) {
    return new Flow(path, Optional.empty(), Optional.empty());
  }

  static Flow of(String path, Optional<IpAddress> source, Optional<IpAddress> destination) {
    return new Flow(path, source, destination);
  }

  /** {@code from A to B} as {@code netc explain} prints it, or empty when neither is known. */
  public String addresses() {
    if (source.isEmpty() && destination.isEmpty()) {
      return "";
    }
    return "from " + source.map(IpAddress::toString).orElse("(no address)") + " to "
        + destination.map(IpAddress::toString).orElse("(no address)");
  }
}
