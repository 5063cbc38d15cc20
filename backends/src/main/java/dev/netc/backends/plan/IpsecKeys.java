package dev.netc.backends.plan;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The numbers and keys of an encrypted overlay's IPsec objects. SPIs and the {@code reqid} are
 * derived from names (stable between plans, so the states are diffable); keys are derived at
 * apply time from a secret that never appears in a plan: {@code HMAC-SHA256(secret,
 * "netc:TOPOLOGY:KEY_ID")}, its first 20 bytes (a 128-bit AES key and the 32-bit salt of {@code
 * rfc4106(gcm(aes))}). Docker's managers make random keys and hand them out over their control
 * plane; netc's runner keeps one random secret per sandbox instead, and both hosts of a pair
 * derive the same key from it.
 */
public final class IpsecKeys {
  private IpsecKeys() {}

  /** The {@code reqid} of every xfrm object of a topology: its mark. */
  public static long reqid(String topology) {
    return 1 + (number("netc:" + topology) % 0x7ffffffeL);
  }

  /** The SPI of the association {@code keyId} of {@code topology}: at least 0x100. */
  public static long spi(String topology, String keyId) {
    return 0x100 + (number("netc:" + topology + ":" + keyId) % (0xffffffffL - 0x100));
  }

  /** The key of association {@code keyId}, as {@code ip xfrm} takes it: {@code 0x} and 40 hex digits. */
  public static String key(byte[] secret, String topology, String keyId) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret, "HmacSHA256"));
      byte[] out = mac.doFinal(("netc:" + topology + ":" + keyId).getBytes(StandardCharsets.UTF_8));
      return "0x" + HexFormat.of().formatHex(out, 0, 20);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HMAC-SHA256 is missing from this JVM", e);
    }
  }

  private static long number(String text) {
    try {
      byte[] d = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
      return ByteBuffer.wrap(d, 0, 4).getInt() & 0xffffffffL;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }
}
