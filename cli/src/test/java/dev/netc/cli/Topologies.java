package dev.netc.cli;

/** Small topologies the CLI tests share; each comment says what it provokes. */
final class Topologies {
  private Topologies() {}

  /** No diagnostics at all; already in canonical form. */
  static final String CLEAN = """
      topology ok

      network n {
        subnet 10.0.0.0/24
      }

      container c {
        attach n
      }
      """;

  /** One warning (NETC113 at 3:9) and nothing else. */
  static final String WARNING = """
      topology t

      network empty {
        subnet 10.1.0.0/24
      }
      """;

  /**
   * Two errors (NETC102 with a related span, NETC101), a warning (NETC113 at 3:9) and a
   * suppressed warning (NETC113 at 8:9).
   */
  static final String ERRORS = """
      topology shop

      network front {
        subnet 10.1.0.0/24
      }

      # netc:ignore NETC113 "reserved for the batch jobs"
      network spare {
        subnet 10.3.0.0/24
      }

      network front {
        subnet 10.2.0.0/24
      }

      container web {
        attach back
      }
      """;

  /** Three independent syntax errors (NETC001), at 4:10, 8:22 and 13:10. */
  static final String THREE_SYNTAX_ERRORS = """
      topology three

      network front {
        subnet = 10.1.0.0/24
      }

      network back {
        subnet 10.2.0.0/24 10.3.0.0/24
      }

      container web {
        attach front
        expose , 3000/tcp
      }
      """;

  /** The example web shop: valid, with comments after statements. */
  static final String WEBSHOP = """
      # webshop: three tiers on two networks.
      topology webshop

      network front {
        driver bridge  # bridge | overlay | macvlan
        subnet 10.10.0.0/24
      }

      network back {
        subnet 10.20.0.0/24
        internal
      }

      container web {
        labels app=web
        attach front { ip 10.10.0.10 }
        attach back
        publish 127.0.0.1:8080 -> 80/tcp
      }

      container api {
        labels app=api
        attach back
        expose 3000/tcp
      }

      policy web-to-api {
        select app=api
        allow ingress from app=web port 3000/tcp
      }
      """;

  /** {@code text} with every line ending in CR LF. */
  static String crlf(String text) {
    return text.replace("\n", "\r\n");
  }
}
