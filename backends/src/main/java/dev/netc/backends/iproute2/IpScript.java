package dev.netc.backends.iproute2;

import dev.netc.backends.Templates;
import dev.netc.backends.plan.DesiredState;
import dev.netc.backends.plan.HostState;
import dev.netc.backends.plan.NetnsFile;
import dev.netc.backends.plan.Sysctl;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Prints a host's iproute2 plan as a shell script a person can read and run by hand (as root,
 * on an empty machine or sandbox): the {@code ip -batch} runs as here-documents, then the
 * sysctls and the files under {@code /etc/netns}. The nftables table is a separate file.
 */
public final class IpScript {
  /** Ends every here-document; no line of a batch or file is ever this. */
  static final String EOF = "NETC_EOF";

  private IpScript() {}

  public static String render(DesiredState state, HostState h) {
    IpPlan plan = IpPlan.of(h);
    String hostNs = h.hostNamespace().name();
    String where = hostNs.isEmpty() ? "the real host namespace"
        : hostNs.equals(state.sandbox()) ? "sandbox namespace `" + hostNs + "`"
        : "namespace `" + hostNs + "` of sandbox `" + state.sandbox() + "`";
    Map<String, Object> model = new LinkedHashMap<>();
    model.put("topology", state.topology());
    model.put("host", h.host());
    model.put("where", where);
    model.put("eof", EOF);
    List<Map<String, Object>> batches = new ArrayList<>();
    // an endpoint's interface sysctls go before its batch brings the interfaces up; the kernel's
    // value for a new interface needs no command
    Map<String, List<Sysctl>> endpointSysctls = h.endpointSysctls();
    for (IpBatch b : plan.batches()) {
      Map<String, Object> m = new LinkedHashMap<>();
      List<Map<String, String>> before = new ArrayList<>();
      b.namespace().map(endpointSysctls::get).orElse(List.of()).stream()
          .filter(x -> !x.newInterfaceValue().filter(x.value()::equals).isPresent())
          // -e: an interface without IPv6 state (under MTU 1280, or a kernel without IPv6) has
          // none of these keys, and needs none
          .forEach(x -> before.add(Map.of("command", "ip netns exec " + b.namespace().get() + " sysctl -qew " + x.key() + "="
              + x.value(), "why", x.why())));
      m.put("before", before);
      m.put("title", b.title());
      m.put("options", b.globalOptions());
      m.put("tool", b.tool());
      List<Map<String, String>> lines = new ArrayList<>();
      for (IpBatch.Line l : b.lines()) {
        lines.add(Map.of("command", l.command(), "comment", l.comment()));
      }
      m.put("lines", lines);
      batches.add(m);
    }
    model.put("batches", batches);
    // checked before any change, so that a script run where it cannot go through stops at once:
    // the namespaces it makes must not be there, those it only works in must be
    List<String> made = new ArrayList<>();
    java.util.Set<String> needed = new java.util.LinkedHashSet<>();
    for (IpBatch b : plan.batches()) {
      b.namespace().ifPresent(needed::add);
      if (b.namespace().isEmpty() && b.tool().equals("ip")) {
        b.lines().stream().map(IpBatch.Line::command).filter(c -> c.startsWith("netns add "))
            .forEach(c -> made.add(c.substring("netns add ".length())));
      }
    }
    if (!hostNs.isEmpty()) {
      needed.add(hostNs);
    }
    needed.removeAll(made);
    model.put("made", made);
    model.put("needed", List.copyOf(needed));
    model.put("sandbox", state.sandbox());
    // the host's sysctls (forwarding, bridged traffic through the forward hook) before the first
    // endpoint's batch, as apply does; at the end when there is none
    int sysctlsAt = -1;
    for (int i = 0; i < plan.batches().size() && sysctlsAt < 0; i++) {
      Optional<String> ns = plan.batches().get(i).namespace();
      if (ns.isPresent() && !ns.get().equals(hostNs)) {
        sysctlsAt = i;
      }
    }
    model.put("sysctlsAt", sysctlsAt);
    String exec = hostNs.isEmpty() ? "" : "ip netns exec " + hostNs + " ";
    List<Map<String, String>> sysctls = new ArrayList<>();
    for (Sysctl s : h.hostSysctls()) {
      sysctls.add(Map.of("command", exec + "sysctl -qw " + s.key() + "=" + s.value(), "why", s.why()));
    }
    model.put("sysctls", sysctls);
    Map<String, List<Map<String, String>>> byDir = new LinkedHashMap<>();
    for (NetnsFile f : h.files()) {
      if (f.content().lines().anyMatch(EOF::equals) || !f.content().endsWith("\n")) {
        throw new IllegalStateException("file content cannot go in a here-document: " + f.path());
      }
      byDir.computeIfAbsent("/etc/netns/" + f.netns(), k -> new ArrayList<>())
          .add(Map.of("path", f.path(), "content", f.content()));
    }
    List<Map<String, Object>> dirs = new ArrayList<>();
    byDir.forEach((dir, files) -> dirs.add(Map.of("dir", dir, "files", files)));
    model.put("dirs", dirs);
    model.put("notes", h.notes());
    model.put("table", h.table().isPresent());
    model.put("keys", !h.xfrmStates().isEmpty());
    return Templates.render("ip-script.ftl", model);
  }
}
