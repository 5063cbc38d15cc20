package dev.netc.backends;

import dev.netc.backends.iproute2.IpBatch;
import dev.netc.backends.iproute2.IpPlan;
import dev.netc.backends.iproute2.IpScript;
import dev.netc.backends.nftables.NftFile;
import dev.netc.backends.nftables.PortFilter;
import dev.netc.backends.nftables.Ruleset;
import dev.netc.backends.nftables.RulesetBuilder;
import dev.netc.backends.plan.DesiredState;
import dev.netc.backends.plan.HostState;
import dev.netc.compiler.model.Reachability;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The text outputs of the kernel plans, as {@code netc emit --backend ip|nft} prints and writes
 * them: per host, a shell script of {@code ip -batch} runs, sysctls and files, and an {@code nft
 * -f} file that replaces the host namespace's table atomically.
 */
public final class KernelPlans {
  private KernelPlans() {}

  /** Every host's script, one after the other (each is run on its own host). */
  public static String ip(DesiredState s) {
    StringBuilder out = new StringBuilder();
    for (HostState h : s.hosts()) {
      if (out.length() > 0) {
        out.append('\n');
      }
      out.append(IpScript.render(s, h));
    }
    return out.toString();
  }

  /** Every host's table file, one after the other (each is applied on its own host). */
  public static String nft(DesiredState s, Reachability model) {
    StringBuilder out = new StringBuilder();
    for (HostState h : s.hosts()) {
      if (out.length() > 0) {
        out.append('\n');
      }
      out.append(nft(s, h, model).orElse("# netc emit --backend nft: topology `" + s.topology()
          + "`, host `" + h.host() + "`: no nftables table (no bridge network on this host)\n"));
    }
    return out.toString();
  }

  /** The table file of one host, if the host needs a table. */
  public static Optional<String> nft(DesiredState s, HostState h, Reachability model) {
    return RulesetBuilder.build(h, model).map(r -> {
      List<Ruleset> tables = new ArrayList<>(List.of(r));
      PortFilter.build(h).ifPresent(tables::add);
      return NftFile.render(tables, header(s, h, tables));
    });
  }

  private static List<String> header(DesiredState s, HostState h, List<Ruleset> tables) {
    Ruleset r = tables.get(0);
    String hostNs = h.hostNamespace().name();
    String ns = hostNs.isEmpty() ? "the real host namespace"
        : hostNs.equals(s.sandbox()) ? "sandbox namespace `" + hostNs + "`"
        : "namespace `" + hostNs + "` of sandbox `" + s.sandbox() + "`";
    String run = hostNs.isEmpty() ? "nft -f FILE" : "ip netns exec " + hostNs + " nft -f FILE";
    List<String> out = new ArrayList<>();
    String names = tables.stream().map(x -> x.family() + " " + x.table()).collect(java.util.stream.Collectors.joining(" and "));
    out.add("netc emit --backend nft: topology `" + s.topology() + "`, host `" + h.host() + "`, table"
        + (tables.size() > 1 ? "s " : " ") + names + " of " + ns + ".");
    out.add("Apply with `" + run + "`: one transaction creates each table if missing, deletes it and");
    out.add("writes it anew, so they are replaced atomically. "
        + tables.stream().mapToInt(Ruleset::ruleCount).sum() + " rules, "
        + tables.stream().mapToInt(Ruleset::elementCount).sum() + " set and map elements.");
    return out;
  }

  /**
   * {@code --out DIR} for {@code ip}: {@code HOST.sh}, and per {@code ip -batch} run {@code
   * HOST/N-NS.batch} ({@code N} its place in the order, {@code NS} the namespace of its {@code -n},
   * {@code netns} for the namespace creations, {@code host} for the real host namespace).
   */
  public static Map<String, String> ipFiles(DesiredState s) {
    Map<String, String> out = new LinkedHashMap<>();
    for (HostState h : s.hosts()) {
      out.put(h.host() + ".sh", IpScript.render(s, h));
      List<IpBatch> batches = IpPlan.of(h).batches();
      String width = "%0" + Integer.toString(batches.size()).length() + "d";
      for (int i = 0; i < batches.size(); i++) {
        IpBatch b = batches.get(i);
        String label = b.namespace().orElse(b.lines().get(0).command().startsWith("netns add") ? "netns" : "host");
        StringBuilder text = new StringBuilder();
        text.append("# ").append(b.title()).append(": ").append(b.tool()).append(" ").append(b.globalOptions())
            .append("-batch FILE\n");
        for (IpBatch.Line l : b.lines()) {
          if (!l.comment().isEmpty()) {
            text.append("# ").append(l.comment()).append('\n');
          }
          text.append(l.command()).append('\n');
        }
        out.put(h.host() + "/" + String.format(java.util.Locale.ROOT, width, i + 1) + "-" + label + ".batch",
            text.toString());
      }
    }
    return out;
  }

  /** {@code --out DIR} for {@code nft}: {@code HOST.nft} per host that has a table. */
  public static Map<String, String> nftFiles(DesiredState s, Reachability model) {
    Map<String, String> out = new LinkedHashMap<>();
    for (HostState h : s.hosts()) {
      nft(s, h, model).ifPresent(text -> out.put(h.host() + ".nft", text));
    }
    return out;
  }
}
