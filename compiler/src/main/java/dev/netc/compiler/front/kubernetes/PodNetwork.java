package dev.netc.compiler.front.kubernetes;

import dev.netc.compiler.ast.Decl;
import dev.netc.compiler.ast.Setting;
import dev.netc.compiler.ast.Word;
import dev.netc.compiler.ir.Cidr;
import dev.netc.compiler.ir.IpAddress;
import dev.netc.compiler.source.Span;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The one flat network every pod sits on, as Kubernetes promises: a bridge named {@code
 * pod-network} whose subnet is {@code 10.244.0.0/16} (the pod CIDR of kubeadm with flannel), or,
 * when the pods' {@code status.podIP}s lie outside it, the longest prefix of at most 16 bits that
 * covers them all; an IPv6 subnet, of at most 64 bits, when some pod has an IPv6 address. The
 * addresses of Pods left out for an error count too ({@link Cluster#leftOutPodAddresses()}), so
 * that the subnet does not change when they are fixed.
 */
final class PodNetwork {
  static final String NAME = "pod-network";
  static final Cidr DEFAULT_V4 = Cidr.parse("10.244.0.0/16").get();

  private PodNetwork() {}

  /** The network declaration, or none when no pod attaches to it. */
  static Optional<Decl.Network> declare(Cluster cluster, Span origin) {
    List<IpAddress> v4 = new ArrayList<>();
    List<IpAddress> v6 = new ArrayList<>();
    boolean used = false;
    for (Cluster.Pod p : cluster.pods()) {
      for (Decl.Attach a : p.decl().attaches()) {
        used = true;
        for (Setting s : a.settings()) {
          for (Word w : s.values()) {
            IpAddress.parse(w.text()).value().ifPresent(ip -> (ip.isV4() ? v4 : v6).add(ip));
          }
        }
      }
    }
    if (!used) {
      return Optional.empty();
    }
    cluster.leftOutPodAddresses().forEach(ip -> (ip.isV4() ? v4 : v6).add(ip));
    List<Setting> settings = new ArrayList<>();
    Cidr subnet4 = v4.stream().allMatch(DEFAULT_V4::contains) ? DEFAULT_V4 : covering(v4, 16);
    settings.add(subnet(subnet4, origin));
    if (!v6.isEmpty()) {
      settings.add(subnet(covering(v6, 64), origin));
    }
    return Optional.of(new Decl.Network(new Word(NAME, origin), settings, origin));
  }

  /** The longest prefix of at most {@code maxBits} bits that holds every address. */
  static Cidr covering(List<IpAddress> addresses, int maxBits) {
    IpAddress first = addresses.get(0);
    for (int bits = maxBits; bits > 0; bits--) {
      Cidr c = new Cidr(Cidr.mask(first, bits), bits);
      if (addresses.stream().allMatch(c::contains)) {
        return c;
      }
    }
    return new Cidr(Cidr.mask(first, 0), 0);
  }

  private static Setting subnet(Cidr c, Span origin) {
    return new Setting(new Word("subnet", origin), List.of(new Word(c.toString(), origin)), origin);
  }
}
