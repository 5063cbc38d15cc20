package dev.netc.runner;

import dev.netc.backends.iproute2.IpBatch;
import dev.netc.backends.iproute2.IpPlan;
import dev.netc.backends.plan.Address;
import dev.netc.backends.plan.DesiredState;
import dev.netc.backends.plan.HostState;
import dev.netc.backends.plan.KernelNames;
import dev.netc.backends.plan.KernelObject;
import dev.netc.backends.plan.Link;
import dev.netc.backends.plan.NetnsFile;
import dev.netc.backends.plan.ObjectId;
import dev.netc.backends.plan.Ownership;
import dev.netc.backends.plan.Route;
import dev.netc.backends.plan.Sysctl;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Plans, applies and destroys one host's part of a topology in a sandbox.
 *
 * <p>The diff is by identity ({@code kind:namespace:name}): what is desired and not live (with
 * the topology's mark) is created, what is live and owned but no longer desired is deleted, a
 * sysctl with another value, a file with other content and a table whose last applied content
 * differs are updated. An object the topology wants that someone else holds stops the apply
 * before any change. Apply runs the backends' {@code ip -batch} lines of the missing objects,
 * one process per namespace, one {@code sysctl} process, one {@code nft -f} transaction, writes
 * the files, then reads the state back; on any failure it undoes what it created.
 */
public final class Runner {
  /** Where {@code ip netns exec} finds the per-namespace files. */
  public static final Path ETC_NETNS = Path.of("/etc/netns");
  /** Lock files and records of applied tables. */
  public static final Path STATE_DIR = Path.of("/run/netc");

  private final CommandExecutor exec;
  private final Path etcNetns;
  private final Path stateDir;
  private final Duration lockWait;
  private final LiveReader reader;

  public Runner(CommandExecutor exec, Path etcNetns, Path stateDir, Duration lockWait) {
    this.exec = exec;
    this.etcNetns = etcNetns;
    this.stateDir = stateDir;
    this.lockWait = lockWait;
    this.reader = new LiveReader(exec, etcNetns);
  }

  /** The real machine: processes, {@code /etc/netns}, {@code /run/netc}. */
  public static Runner system(Duration lockWait) {
    return new Runner(new ProcessExecutor(), ETC_NETNS, STATE_DIR, lockWait);
  }

  /**
   * One host of a desired state planned for a sandbox, and its nftables file (empty when the
   * host needs no table).
   */
  public record Target(DesiredState state, HostState host, Optional<String> nft) {
    public Target {
      if (state.sandbox().isEmpty()) {
        throw new IllegalArgumentException("the runner works in a sandbox only, for now");
      }
    }

    public String topology() {
      return state.topology();
    }

    public Sandbox sandbox() {
      return new Sandbox(state.sandbox());
    }

    List<String> sysctlKeys() {
      return host.sysctls().stream().map(Sysctl::key).toList();
    }
  }

  /** What an apply or destroy did. */
  public record Outcome(Plan plan, int processes, long millis, List<String> notes) {
    public Outcome {
      notes = List.copyOf(notes);
    }
  }

  // ------------------------------------------------------------------ exec

  /**
   * Runs {@code command} in {@code namespace} of the sandbox of {@code t} ({@code S}, {@code
   * S-outside} or an endpoint's), through {@code ip netns exec}, so that the namespace's {@code
   * /etc/netns} files are mounted over {@code /etc/hosts} and {@code /etc/resolv.conf}; the
   * command shares this process's standard input, output and error. Returns its exit status.
   *
   * @throws RunnerException when the namespace does not exist
   */
  public int exec(Target t, String namespace, List<String> command) {
    KernelNames.checkNetns(namespace);
    if (command.isEmpty()) {
      throw new IllegalArgumentException("no command");
    }
    if (!reader.namespaces().contains(namespace)) {
      throw new RunnerException("namespace " + namespace + " does not exist: is topology " + t.topology()
          + " applied in sandbox " + t.sandbox().name() + "? (`netc apply`)");
    }
    List<String> argv = new ArrayList<>(List.of("ip", "netns", "exec", namespace));
    argv.addAll(command);
    return exec.runAttached(argv);
  }

  // ------------------------------------------------------------------ plan

  /** What {@link #apply} would do now. */
  public Plan plan(Target t) {
    return diff(t, reader.read(t.sandbox(), t.topology(), t.sysctlKeys()));
  }

  /**
   * Drift: the live state of what the topology owns against its desired state, object by
   * object. The same reading and diff as {@link #plan}; nothing is touched and no lock is taken.
   */
  public Drift drift(Target t) {
    return new Drift(plan(t));
  }

  Plan diff(Target t, LiveState live) {
    Sandbox sb = t.sandbox();
    List<KernelObject> desired = t.host().objects();
    List<String> conflicts = new ArrayList<>();
    for (KernelObject o : desired) {
      String mark = live.foreign().get(o.id());
      if (mark != null) {
        conflicts.add(o.id() + (mark.isEmpty() ? " (no mark)" : " (marked `" + mark + "`)"));
      }
    }
    if (!conflicts.isEmpty()) {
      throw new RunnerException("objects of topology " + t.topology() + " are taken by others, not"
          + " touching them: " + String.join(", ", conflicts));
    }
    List<Change> changes = new ArrayList<>();
    if (!live.sandboxExists()) {
      changes.add(new Change(Change.Action.CREATE, new ObjectId(ObjectId.Kind.NAMESPACE, "", sb.name()), "sandbox"));
    }
    if (!live.outsideExists()) {
      changes.add(new Change(Change.Action.CREATE, new ObjectId(ObjectId.Kind.NAMESPACE, "", sb.outside()),
          "@outside, uplink " + Sandbox.OUTSIDE_V4 + " " + Sandbox.OUTSIDE_V6));
    }
    for (KernelObject o : desired) {
      if (o instanceof Sysctl s) {
        Optional<String> now = live.sysctl(s.key());
        if (now.isEmpty() || !now.get().equals(s.value())) {
          changes.add(new Change(Change.Action.UPDATE, o.id(), now.map(v -> v + " -> ").orElse("") + s.value()));
        }
      } else if (o instanceof NetnsFile f) {
        String now = live.files().get(o.id());
        if (now == null) {
          changes.add(new Change(Change.Action.CREATE, o.id(), ""));
        } else if (!now.equals(f.content())) {
          changes.add(new Change(Change.Action.UPDATE, o.id(), "content"));
        }
      } else if (o.id().kind() == ObjectId.Kind.TABLE) {
        if (!live.has(o.id())) {
          changes.add(new Change(Change.Action.CREATE, o.id(), ""));
        } else if (!tableRecord(t).equals(Optional.of(sha256(t.nft().orElse(""))))) {
          changes.add(new Change(Change.Action.UPDATE, o.id(), "content, replaced atomically"));
        } else {
          // applied as desired: still the rules apply left there (a hand-made flush or edit)?
          OptionalInt applied = tableRulesRecord(t);
          if (applied.isPresent()) {
            OptionalInt now = reader.tableRules(sb.name(), o.id().name());
            if (now.isPresent() && now.getAsInt() != applied.getAsInt()) {
              changes.add(new Change(Change.Action.UPDATE, o.id(), now.getAsInt() + " rules, applied with "
                  + applied.getAsInt() + "; replaced atomically"));
            }
          }
        }
      } else if (!live.has(o.id())) {
        changes.add(new Change(Change.Action.CREATE, o.id(), ""));
      }
    }
    Set<ObjectId> wanted = desired.stream().map(KernelObject::id).collect(Collectors.toSet());
    Set<String> goneNamespaces = live.owned(ObjectId.Kind.NAMESPACE).stream()
        .filter(i -> !wanted.contains(i)).map(ObjectId::name).collect(Collectors.toSet());
    Set<String> goneLinks = live.owned(ObjectId.Kind.LINK).stream().filter(i -> !wanted.contains(i))
        .map(i -> i.namespace() + "/" + i.name()).collect(Collectors.toSet());
    List<Change> deletions = new ArrayList<>();
    for (ObjectId id : live.owned()) {
      if (wanted.contains(id) || goneNamespaces.contains(id.namespace()) && id.kind() != ObjectId.Kind.FILE) {
        continue;
      }
      if (id.kind() == ObjectId.Kind.ADDRESS
          && goneLinks.contains(id.namespace() + "/" + id.name().substring(0, id.name().indexOf('/')))) {
        continue;
      }
      if (id.kind() == ObjectId.Kind.LINK && !id.namespace().equals(sb.name())) {
        // a container end goes with its host end in S (a veth pair dies whole)
        continue;
      }
      deletions.add(new Change(Change.Action.DELETE, id, ""));
    }
    List<ObjectId.Kind> order = List.of(ObjectId.Kind.ROUTE, ObjectId.Kind.ADDRESS, ObjectId.Kind.LINK,
        ObjectId.Kind.TABLE, ObjectId.Kind.FILE, ObjectId.Kind.NAMESPACE, ObjectId.Kind.SYSCTL);
    deletions.sort(Comparator.comparing((Change c) -> order.indexOf(c.id().kind())).thenComparing(Change::id));
    changes.addAll(deletions);
    return new Plan(t.topology(), sb.name(), changes);
  }

  // ------------------------------------------------------------------ apply

  /** Makes the sandbox match the target; on failure, leaves it as it was and throws. */
  public Outcome apply(Target t) {
    long start = System.nanoTime();
    int processes = exec.processes();
    Sandbox sb = t.sandbox();
    try (Lock lock = lock(sb)) {
      LiveState before = reader.read(sb, t.topology(), t.sysctlKeys());
      Plan plan = diff(t, before);
      if (plan.empty()) {
        return new Outcome(plan, exec.processes() - processes, millis(start), List.of());
      }
      Undo undo = new Undo(t, before, plan);
      try {
        execute(t, before, plan, undo);
        LiveState after = reader.read(sb, t.topology(), t.sysctlKeys());
        List<String> missing = new ArrayList<>();
        for (KernelObject o : t.host().objects()) {
          boolean ok = o instanceof Sysctl s ? after.sysctl(s.key()).filter(s.value()::equals).isPresent()
              : o instanceof NetnsFile f ? f.content().equals(after.files().get(o.id()))
              : after.has(o.id());
          if (!ok) {
            missing.add(o.id().toString());
          }
        }
        if (!missing.isEmpty()) {
          throw new RunnerException("read back after apply, " + missing.size() + " object"
              + (missing.size() == 1 ? " is" : "s are") + " missing: " + String.join(", ", missing.subList(0, Math.min(5, missing.size()))));
        }
      } catch (RuntimeException e) {
        List<String> problems = undo.run();
        String msg = e instanceof RunnerException ? e.getMessage() : e.toString();
        throw new RunnerException(msg + "; rolled back"
            + (problems.isEmpty() ? ", sandbox " + sb.name() + " is as before" : " with problems: " + String.join("; ", problems)));
      }
      return new Outcome(plan, exec.processes() - processes, millis(start), List.of());
    }
  }

  private void execute(Target t, LiveState before, Plan plan, Undo undo) {
    Sandbox sb = t.sandbox();
    String s = sb.name();
    for (Sandbox.Run r : sb.creation(before.sandboxExists(), before.outsideExists())) {
      ip(r);
    }
    Map<ObjectId, Change> byId = new LinkedHashMap<>();
    plan.changes().forEach(c -> byId.put(c.id(), c));
    // an address changed by hand: the unexpected one goes first, as deleting a primary address
    // takes the secondaries of its subnet (the one about to be added) with it
    Set<String> devicesGettingAddresses = plan.changes().stream()
        .filter(c -> c.action() == Change.Action.CREATE && c.id().kind() == ObjectId.Kind.ADDRESS)
        .map(c -> c.id().namespace() + "/" + device(c.id())).collect(Collectors.toSet());
    List<ObjectId> early = plan.changes().stream()
        .filter(c -> c.action() == Change.Action.DELETE && c.id().kind() == ObjectId.Kind.ADDRESS
            && devicesGettingAddresses.contains(c.id().namespace() + "/" + device(c.id())))
        .map(Change::id).toList();
    if (!early.isEmpty()) {
      deletions(t, early, false);
    }
    for (IpBatch b : IpPlan.of(t.host()).batches()) {
      List<String> lines = b.lines().stream()
          .filter(l -> byId.containsKey(l.object()) && byId.get(l.object()).action() == Change.Action.CREATE)
          .map(IpBatch.Line::command).toList();
      if (!lines.isEmpty()) {
        ip(new Sandbox.Run(b.namespace().orElse(""), lines));
      }
    }
    List<String> sysctls = new ArrayList<>();
    if (!before.sandboxExists()) {
      sysctls.addAll(Sandbox.forwarding());
    }
    for (Sysctl x : t.host().sysctls()) {
      if (byId.containsKey(x.id())) {
        sysctls.add(x.key() + "=" + x.value());
      }
    }
    if (!sysctls.isEmpty()) {
      List<String> argv = new ArrayList<>(List.of("ip", "netns", "exec", s, "sysctl", "-qw"));
      argv.addAll(sysctls);
      check(exec.run(argv, ""), "sysctl in " + s);
    }
    for (NetnsFile f : t.host().files()) {
      Change c = byId.get(f.id());
      if (c != null) {
        Path dir = etcNetns.resolve(f.netns());
        try {
          if (!Files.isDirectory(dir)) {
            Files.createDirectories(dir);
            undo.dirs.add(dir);
          }
          undo.files.put(f.path(), Optional.ofNullable(before.files().get(f.id())));
          Files.writeString(dir.resolve(f.file()), f.content(), StandardCharsets.UTF_8);
        } catch (IOException e) {
          throw new RunnerException("cannot write " + f.path() + ": " + e.getMessage());
        }
      }
    }
    if (t.host().table().isPresent() && byId.containsKey(t.host().table().get().id())) {
      check(exec.run(List.of("ip", "netns", "exec", s, "nft", "-f", "-"), t.nft().orElseThrow()),
          "nft -f in " + s);
      writeTableRecord(t, Optional.of(sha256(t.nft().get())));
      OptionalInt rules = reader.tableRules(s, t.host().table().get().id().name());
      if (rules.isPresent()) {
        writeRecord(tableRecordPath(t), Optional.of(sha256(t.nft().get()) + "\nrules " + rules.getAsInt()));
      }
    }
    deletions(t, plan.changes().stream().filter(c -> c.action() == Change.Action.DELETE).map(Change::id)
        .filter(i -> !early.contains(i)).toList(), false);
  }

  private static String device(ObjectId address) {
    return address.name().substring(0, address.name().indexOf('/'));
  }

  /**
   * Deletes owned objects: links, addresses and routes (one {@code ip -force -batch} per
   * namespace, {@code S} first), the table, files, namespaces. With {@code force} (destroy), a
   * failed line does not stop the rest; the caller reads back what is left.
   */
  private void deletions(Target t, List<ObjectId> ids, boolean force) {
    String s = t.sandbox().name();
    Map<String, List<String>> perNs = new LinkedHashMap<>();
    List<String> netns = new ArrayList<>();
    for (ObjectId id : ids) {
      switch (id.kind()) {
        case ROUTE -> perNs.computeIfAbsent(id.namespace(), k -> new ArrayList<>()).add("route del " + id.name());
        case ADDRESS -> {
          String[] p = id.name().split("/", 2);
          perNs.computeIfAbsent(id.namespace(), k -> new ArrayList<>())
              .add("address del " + p[1] + " dev " + KernelNames.checkIfname(p[0]));
        }
        case LINK -> {
          if (!id.name().equals("lo")) {
            perNs.computeIfAbsent(id.namespace(), k -> new ArrayList<>()).add("link del " + KernelNames.checkIfname(id.name()));
          }
        }
        case TABLE -> check(exec.run(List.of("ip", "netns", "exec", s, "nft", "delete", "table", "inet",
            Ownership.table(t.topology())), ""), "nft delete table in " + s);
        case FILE -> {
          try {
            Path f = etcNetns.resolve(id.namespace()).resolve(Path.of(id.name()).getFileName().toString());
            Files.deleteIfExists(f);
            removeIfEmpty(f.getParent());
          } catch (IOException e) {
            throw new RunnerException("cannot delete " + id.name() + ": " + e.getMessage());
          }
        }
        case NAMESPACE -> netns.add("netns del " + KernelNames.checkNetns(id.name()));
        default -> { }
      }
    }
    // links of S first: a veth's host end takes its container end with it
    List<Sandbox.Run> runs = new ArrayList<>();
    perNs.forEach((ns, lines) -> runs.add(new Sandbox.Run(ns, lines, true)));
    runs.sort(Comparator.comparing(r -> !r.namespace().equals(s)));
    if (!netns.isEmpty()) {
      runs.add(new Sandbox.Run("", netns, true));
    }
    for (Sandbox.Run r : runs) {
      if (force) {
        exec.run(r.argv(), r.stdin()); // destroy: what is left is found by reading back
      } else {
        ip(r);
      }
    }
    if (ids.stream().anyMatch(i -> i.kind() == ObjectId.Kind.TABLE)) {
      writeTableRecord(t, Optional.empty());
    }
  }

  /** What an apply made, to take it back. */
  private final class Undo {
    final Target t;
    final LiveState before;
    final Plan plan;
    final List<Path> dirs = new ArrayList<>();
    final Map<String, Optional<String>> files = new LinkedHashMap<>();

    Undo(Target t, LiveState before, Plan plan) {
      this.t = t;
      this.before = before;
      this.plan = plan;
    }

    /** Undoes, best effort; returns what could not be undone. */
    List<String> run() {
      List<String> problems = new ArrayList<>();
      Sandbox sb = t.sandbox();
      String s = sb.name();
      Map<ObjectId, KernelObject> objects = new LinkedHashMap<>();
      t.host().objects().forEach(o -> objects.put(o.id(), o));
      List<ObjectId> created = plan.changes().stream().filter(c -> c.action() == Change.Action.CREATE)
          .map(Change::id).filter(objects::containsKey).toList();
      Set<String> createdNs = created.stream().filter(i -> i.kind() == ObjectId.Kind.NAMESPACE)
          .map(ObjectId::name).collect(Collectors.toSet());
      try {
        // the table, when this apply created it (an nft -f that failed changed nothing)
        ObjectId table = t.host().table().map(KernelObject::id).orElse(null);
        if (table != null && created.contains(table)) {
          exec.run(List.of("ip", "netns", "exec", s, "nft", "delete", "table", "inet", Ownership.table(t.topology())), "");
          writeTableRecord(t, Optional.empty());
        }
        for (Map.Entry<String, Optional<String>> f : files.entrySet()) {
          Path p = Path.of(f.getKey());
          Path local = etcNetns.resolve(p.getParent().getFileName().toString()).resolve(p.getFileName().toString());
          if (f.getValue().isPresent()) {
            Files.writeString(local, f.getValue().get(), StandardCharsets.UTF_8);
          } else {
            Files.deleteIfExists(local);
          }
        }
        for (int i = dirs.size() - 1; i >= 0; i--) {
          removeIfEmpty(dirs.get(i));
        }
      } catch (IOException e) {
        problems.add(e.getMessage());
      }
      if (before.sandboxExists()) {
        // links, addresses and routes made in namespaces that stay; reverse creation order
        Map<String, List<String>> perNs = new LinkedHashMap<>();
        for (int i = created.size() - 1; i >= 0; i--) {
          KernelObject o = objects.get(created.get(i));
          String ns = o.id().namespace();
          if (createdNs.contains(ns)) {
            continue;
          }
          if (o instanceof Link l && l.type() != Link.Type.LOOPBACK && (l.createsPeer() || l.type() == Link.Type.BRIDGE)) {
            perNs.computeIfAbsent(ns, k -> new ArrayList<>()).add("link del " + l.name());
          } else if (o instanceof Address a) {
            perNs.computeIfAbsent(ns, k -> new ArrayList<>()).add("address del " + a.cidr() + " dev " + a.device());
          } else if (o instanceof Route r) {
            perNs.computeIfAbsent(ns, k -> new ArrayList<>()).add("route del " + r.to() + " via " + r.via() + " dev " + r.device());
          }
        }
        // links first (in S: veth host ends take their peers), then the rest
        perNs.entrySet().stream().sorted(Comparator.comparing(e -> !e.getKey().equals(s)))
            .forEach(e -> exec.run(new Sandbox.Run(e.getKey(), e.getValue(), true).argv(),
                String.join("\n", e.getValue()) + "\n"));
        // sysctls back to the values found
        List<String> restore = new ArrayList<>();
        for (Sysctl x : t.host().sysctls()) {
          if (plan.changes().stream().anyMatch(c -> c.id().equals(x.id()))) {
            before.sysctl(x.key()).ifPresent(v -> restore.add(x.key() + "=" + v));
          }
        }
        if (!restore.isEmpty()) {
          List<String> argv = new ArrayList<>(List.of("ip", "netns", "exec", s, "sysctl", "-qw"));
          argv.addAll(restore);
          exec.run(argv, "");
        }
      }
      List<String> del = new ArrayList<>();
      for (int i = created.size() - 1; i >= 0; i--) {
        if (created.get(i).kind() == ObjectId.Kind.NAMESPACE) {
          del.add("netns del " + created.get(i).name());
        }
      }
      if (!before.outsideExists()) {
        del.add("netns del " + sb.outside());
        if (before.sandboxExists()) {
          exec.run(new Sandbox.Run(s, List.of("link del " + Sandbox.UPLINK), true).argv(), "link del " + Sandbox.UPLINK + "\n");
        }
      }
      if (!before.sandboxExists()) {
        del.add("netns del " + s);
      }
      if (!del.isEmpty()) {
        CommandExecutor.Result r = exec.run(new Sandbox.Run("", del, true).argv(), String.join("\n", del) + "\n");
        if (!r.ok()) {
          problems.add(r.firstError());
        }
      }
      Set<String> now = reader.namespaces().stream().filter(n -> n.equals(s) || n.startsWith(s + "-"))
          .collect(Collectors.toSet());
      if (!now.equals(before.namespaces())) {
        problems.add("namespaces were " + before.namespaces() + ", are " + now);
      }
      return problems;
    }
  }

  // ------------------------------------------------------------------ destroy

  /**
   * Removes what the topology owns in the sandbox, nothing else; then the sandbox itself when
   * netc made it and nothing foreign is left in it.
   */
  public Outcome destroy(Target t) {
    long start = System.nanoTime();
    int processes = exec.processes();
    Sandbox sb = t.sandbox();
    String s = sb.name();
    List<String> notes = new ArrayList<>();
    try (Lock lock = lock(sb)) {
      LiveState live = reader.read(sb, t.topology(), List.of());
      // links of S first: a veth's host end takes its container end with it
      List<ObjectId> ids = new ArrayList<>();
      live.owned(ObjectId.Kind.LINK).stream().filter(i -> i.namespace().equals(s)).forEach(ids::add);
      ids.addAll(live.owned(ObjectId.Kind.TABLE));
      ids.addAll(live.owned(ObjectId.Kind.FILE));
      ids.addAll(live.owned(ObjectId.Kind.NAMESPACE));
      List<Change> changes = ids.stream().map(i -> new Change(Change.Action.DELETE, i, "")).toList();
      deletions(t, ids, true);
      writeTableRecord(t, Optional.empty());
      LiveState after = reader.read(sb, t.topology(), List.of());
      List<ObjectId> left = new ArrayList<>(after.owned());
      if (!left.isEmpty()) {
        throw new RunnerException("destroy left " + left.size() + " object(s) of " + t.topology() + ": "
            + left.stream().sorted().limit(5).map(ObjectId::toString).collect(Collectors.joining(", ")));
      }
      if (after.sandboxExists() && sb.createdByNetc(after.sandboxMark())) {
        List<String> foreign = new ArrayList<>();
        after.namespaces().stream().filter(n -> !n.equals(s) && !n.equals(sb.outside()))
            .forEach(n -> foreign.add("namespace " + n));
        after.sandboxLinks().keySet().stream().filter(n -> !n.equals("lo") && !n.equals(Sandbox.UPLINK))
            .forEach(n -> foreign.add("link " + n));
        after.tables().forEach(x -> foreign.add("table " + x));
        if (foreign.isEmpty()) {
          ip(new Sandbox.Run("", List.of("netns del " + sb.outside(), "netns del " + s), true));
          changes = new ArrayList<>(changes);
          changes.add(new Change(Change.Action.DELETE, new ObjectId(ObjectId.Kind.NAMESPACE, "", sb.outside()), "sandbox"));
          changes.add(new Change(Change.Action.DELETE, new ObjectId(ObjectId.Kind.NAMESPACE, "", s), "sandbox"));
        } else {
          notes.add("kept sandbox " + s + ": it still holds " + String.join(", ", foreign));
        }
      }
      return new Outcome(new Plan(t.topology(), s, changes), exec.processes() - processes, millis(start), notes);
    }
  }

  // ------------------------------------------------------------------ helpers

  private void ip(Sandbox.Run r) {
    check(exec.run(r.argv(), r.stdin()), String.join(" ", r.argv()));
  }

  private static void check(CommandExecutor.Result r, String what) {
    if (!r.ok()) {
      throw new RunnerException(what + " failed: " + r.firstError());
    }
  }

  private void removeIfEmpty(Path dir) throws IOException {
    if (Files.isDirectory(dir)) {
      try (var entries = Files.list(dir)) {
        if (entries.findAny().isEmpty()) {
          Files.delete(dir);
        }
      }
    }
  }

  private Path tableRecordPath(Target t) {
    return stateDir.resolve(t.sandbox().name() + "." + t.topology() + ".nft.sha256");
  }

  /** The record's first line: the SHA-256 of the table file apply loaded. */
  private Optional<String> tableRecord(Target t) {
    return recordLines(t).stream().findFirst();
  }

  /** The record's {@code rules N} line: how many rules the table had right after apply loaded it. */
  private OptionalInt tableRulesRecord(Target t) {
    for (String l : recordLines(t)) {
      if (l.startsWith("rules ")) {
        try {
          return OptionalInt.of(Integer.parseInt(l.substring(6).strip()));
        } catch (NumberFormatException e) {
          return OptionalInt.empty();
        }
      }
    }
    return OptionalInt.empty();
  }

  private List<String> recordLines(Target t) {
    try {
      Path p = tableRecordPath(t);
      return Files.isRegularFile(p) ? Files.readString(p).strip().lines().map(String::strip).toList() : List.of();
    } catch (IOException e) {
      return List.of();
    }
  }

  private void writeTableRecord(Target t, Optional<String> hash) {
    writeRecord(tableRecordPath(t), hash);
  }

  private static void writeRecord(Path p, Optional<String> text) {
    try {
      if (text.isPresent()) {
        Files.createDirectories(p.getParent());
        Files.writeString(p, text.get() + "\n");
      } else {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      throw new RunnerException("cannot write " + p + ": " + e.getMessage());
    }
  }

  static String sha256(String text) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static long millis(long start) {
    return (System.nanoTime() - start) / 1_000_000;
  }

  /** The lock of a sandbox: one apply or destroy at a time. */
  static final class Lock implements AutoCloseable {
    private final FileChannel channel;
    private final FileLock lock;

    Lock(FileChannel channel, FileLock lock) {
      this.channel = channel;
      this.lock = lock;
    }

    @Override
    public void close() {
      try {
        lock.release();
        channel.close();
      } catch (IOException e) {
        // closing the channel releases the lock in any case
      }
    }
  }

  Lock lock(Sandbox sb) {
    Path file = stateDir.resolve(sb.name() + ".lock");
    try {
      Files.createDirectories(stateDir);
      FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
      long deadline = System.nanoTime() + lockWait.toNanos();
      while (true) {
        try {
          FileLock l = ch.tryLock();
          if (l != null) {
            return new Lock(ch, l);
          }
        } catch (OverlappingFileLockException e) {
          // held by another thread of this process
        }
        if (System.nanoTime() >= deadline) {
          ch.close();
          throw new RunnerException("sandbox " + sb.name() + " is locked by another netc apply or destroy ("
              + file + "); gave up after " + lockWait.toSeconds() + " s");
        }
        Thread.sleep(100);
      }
    } catch (IOException e) {
      throw new RunnerException("cannot lock " + file + ": " + e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new RunnerException("interrupted while waiting for the lock of " + sb.name());
    }
  }
}
