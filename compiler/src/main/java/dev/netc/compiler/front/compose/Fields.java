package dev.netc.compiler.front.compose;

import dev.netc.compiler.ast.Word;
import dev.netc.compiler.diag.Code;
import dev.netc.compiler.diag.Diagnostic;
import dev.netc.compiler.diag.Spelling;
import java.util.HashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.snakeyaml.engine.v2.nodes.NodeTuple;

/**
 * The fields of each Compose mapping that netc knows of: those it reads, those it ignores quietly
 * because they do not concern the network, and those that do but that it does not support
 * (NETC032, with what to do instead). Any other field is unknown to Compose too (NETC031, with a
 * "did you mean"); extension fields ({@code x-...}) are always quiet.
 *
 * @param where where the fields stand, as hints name it ("a service")
 */
record Fields(String where, Set<String> read, Set<String> quiet, Map<String, String> unsupported) {

  static final Fields TOP = new Fields("the top level of a Compose file",
      Set.of("name", "services", "networks"),
      Set.of("version", "volumes", "secrets", "configs", "models"),
      Map.of("include", "the services of included files are not read; put them in this file"));

  static final Fields SERVICE = new Fields("a service",
      Set.of("networks", "network_mode", "ports", "expose", "deploy", "scale", "container_name",
          "mac_address", "hostname"),
      Set.of("annotations", "attach", "build", "blkio_config", "cpu_count", "cpu_percent",
          "cpu_shares", "cpu_period", "cpu_quota", "cpu_rt_runtime", "cpu_rt_period", "cpus",
          "cpuset", "credential_spec", "cap_add", "cap_drop", "cgroup", "cgroup_parent", "command",
          "configs", "depends_on", "develop", "device_cgroup_rules", "devices", "domainname",
          "entrypoint", "env_file", "environment", "gpus", "group_add", "healthcheck",
          "image", "init", "ipc", "isolation", "labels", "label_file", "logging", "mem_limit",
          "mem_reservation", "mem_swappiness", "memswap_limit", "models", "oom_kill_disable",
          "oom_score_adj", "pid", "pids_limit", "platform", "post_start", "pre_stop",
          "privileged", "profiles", "provider", "pull_policy", "pull_refresh_after", "read_only",
          "restart", "runtime", "secrets", "security_opt", "shm_size", "stdin_open",
          "stop_grace_period", "stop_signal", "storage_opt", "sysctls", "tmpfs", "tty", "ulimits",
          "use_api_socket", "user", "userns_mode", "uts", "volumes", "volumes_from",
          "working_dir"),
      Map.of("links", "the names a link gives are not modelled; give the service `aliases` on a"
              + " network the two services share",
          "external_links", "containers outside the project are not modelled",
          "extra_hosts", "host entries are not modelled; names resolve between the members of a"
              + " network",
          "dns", "DNS servers are not modelled; names resolve between the members of a network",
          "dns_search", "DNS search domains are not modelled",
          "dns_opt", "DNS options are not modelled",
          "extends", "the fields of the extended service are not read; write them in this service"));

  static final Fields SERVICE_NETWORK = new Fields("a network entry of a service",
      Set.of("aliases", "ipv4_address", "ipv6_address", "mac_address"),
      Set.of(),
      Map.of("link_local_ips", "link-local addresses are not modelled",
          "driver_opts", "per-attachment driver options are not modelled",
          "priority", "netc attaches to the networks in the order the file lists them",
          "gw_priority", "the route out is through the first network, in the order the file"
              + " lists them, that has one",
          "interface_name", "netc names the interfaces itself"));

  static final Fields PORT = new Fields("a port in the long syntax",
      Set.of("target", "published", "host_ip", "protocol", "mode"),
      Set.of("name", "app_protocol"),
      Map.of());

  static final Fields DEPLOY = new Fields("`deploy`",
      Set.of("replicas", "mode"),
      Set.of("labels", "placement", "resources", "restart_policy", "rollback_config",
          "update_config"),
      Map.of("endpoint_mode", "every replica resolves by its own name and by the service's"));

  static final Fields NETWORK = new Fields("a network",
      Set.of("driver", "driver_opts", "ipam", "internal", "external", "name", "enable_ipv6",
          "enable_ipv4"),
      Set.of("attachable", "labels"),
      Map.of());

  static final Fields IPAM = new Fields("`ipam`",
      Set.of("driver", "config"),
      Set.of(),
      Map.of("options", "IPAM driver options are not modelled"));

  static final Fields IPAM_CONFIG = new Fields("an `ipam.config` entry",
      Set.of("subnet", "ip_range", "gateway", "aux_addresses"),
      Set.of(),
      Map.of());

  /** Reports every field of {@code entries} that netc does not read, for {@code owner}. */
  void check(Nodes nodes, Map<String, NodeTuple> entries, String owner) {
    for (NodeTuple t : entries.values()) {
      Word k = nodes.key(t);
      String key = k.text();
      if (read.contains(key) || quiet.contains(key) || key.startsWith("x-")) {
        continue;
      }
      String reason = unsupported.get(key);
      if (reason != null) {
        nodes.diags().add(Diagnostic.of(Code.NETC032, k.span(), "`" + key + "` of " + owner
            + " is not supported: netc ignores it").withHint(reason));
        continue;
      }
      Set<String> known = new HashSet<>(read);
      known.addAll(quiet);
      known.addAll(unsupported.keySet());
      Optional<String> suggestion = Spelling.suggest(key, known);
      String hint = suggestion.map(s -> "did you mean `" + s + "`?")
          .orElse("Compose does not know it either; in " + where + ", netc reads "
              + String.join(", ", read.stream().sorted().map(s -> "`" + s + "`").toList()));
      nodes.diags().add(Diagnostic.of(Code.NETC031, k.span(), "unknown field `" + key + "` in "
          + owner + ": netc ignores it" + consequence(key, suggestion, entries)).withHint(hint));
    }
  }

  /**
   * What ignoring {@code key} does, when it is not only that it is left out: a service whose
   * misspelt {@code networks} or {@code network_mode} (the suggestion, or a key that speaks of
   * {@code net}) leaves it with neither joins the project's default network, as a service
   * without them does.
   */
  private String consequence(String key, Optional<String> suggestion, Map<String, NodeTuple> entries) {
    boolean network = suggestion.filter(s -> s.equals("networks") || s.equals("network_mode")).isPresent()
        || key.toLowerCase(Locale.ROOT).contains("net");
    if (this == SERVICE && network && !entries.containsKey("networks")
        && !entries.containsKey("network_mode")) {
      return ", so the service, with no `networks` or `network_mode`, joins the project's default"
          + " network";
    }
    return "";
  }
}
