package dev.netc.backends.plan;

/**
 * The nftables table of a namespace: identity and ownership mark. Its content, computed from
 * the topology and the reachability model, is {@code dev.netc.backends.nftables.Ruleset}; a
 * runner replaces the whole table in one {@code nft -f} transaction.
 *
 * @param name {@code netc_TOPOLOGY} ({@link Ownership#table})
 * @param comment {@code netc:TOPOLOGY}
 */
public record TableSpec(String namespace, String family, String name, String comment)
    implements KernelObject {
  public TableSpec {
    KernelNames.checkNetns(namespace);
    if (!name.matches("[a-z][a-z0-9_]*") || !family.equals("inet")) {
      throw new IllegalArgumentException("bad table " + family + " " + name);
    }
  }

  @Override
  public ObjectId id() {
    return new ObjectId(ObjectId.Kind.TABLE, namespace, family + " " + name);
  }
}
