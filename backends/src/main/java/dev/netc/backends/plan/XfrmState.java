package dev.netc.backends.plan;

import dev.netc.compiler.ir.IpAddress;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * An IPsec security association (xfrm state) of an encrypted overlay: ESP in transport mode
 * between two hosts' underlay addresses, one per direction, with AES-GCM ({@code
 * rfc4106(gcm(aes))}, 128-bit ICV) as Docker's encrypted overlay uses. The key is never part of
 * the plan: the command carries a placeholder, {@code {{key:KEY_ID}}}, that the runner fills
 * with a key derived from a secret of its own ({@link IpsecKeys}); both hosts of the pair
 * derive the same key.
 *
 * @param spi derived from the topology, the pair and the port ({@link IpsecKeys#spi})
 * @param reqid the topology's mark on its xfrm objects ({@link IpsecKeys#reqid})
 * @param keyId which key: {@code SRC_HOST>DST_HOST/udp/PORT}
 */
public record XfrmState(String namespace, IpAddress src, IpAddress dst, long spi, long reqid, String keyId)
    implements KernelObject {
  private static final Pattern KEY_ID = Pattern.compile("[a-z0-9.-]+>[a-z0-9.-]+/udp/[0-9]+");

  public XfrmState {
    KernelNames.checkNetns(namespace);
    if (src.family() != dst.family() || spi < 0x100 || spi > 0xffffffffL || reqid < 1 || !KEY_ID.matcher(keyId).matches()) {
      throw new IllegalArgumentException("bad xfrm state " + src + ">" + dst + " " + spi + " " + keyId);
    }
  }

  /** The placeholder of the key in {@link #command}, replaced by the runner before it runs. */
  public static String placeholder(String keyId) {
    return "{{key:" + keyId + "}}";
  }

  public String spiHex() {
    return String.format(Locale.ROOT, "0x%08x", spi);
  }

  /** The {@code ip -batch} line, with the key's placeholder. */
  public String command() {
    return "xfrm state add src " + src + " dst " + dst + " proto esp spi " + spiHex() + " reqid " + reqid
        + " mode transport aead rfc4106(gcm(aes)) " + placeholder(keyId) + " 128";
  }

  public String deletion() {
    return "xfrm state del src " + src + " dst " + dst + " proto esp spi " + spiHex();
  }

  @Override
  public ObjectId id() {
    return new ObjectId(ObjectId.Kind.XFRM, namespace, "state " + src + ">" + dst + " spi " + spiHex());
  }
}
