package dev.netc.compiler.front.compose;

import dev.netc.compiler.ast.Decl;
import dev.netc.compiler.ast.Word;
import dev.netc.compiler.diag.Code;
import dev.netc.compiler.diag.Diagnostic;
import dev.netc.compiler.diag.Diagnostics;
import dev.netc.compiler.source.Span;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The networks of a Compose project: those of the top-level {@code networks} as declarations,
 * what each key a service may name stands for, and the project's default network, which is
 * declared when some service joins it.
 */
final class Networks {
  /** What a network key of a service means. */
  enum Kind {
    /** a network of the topology, by its netc name */
    NETWORK,
    /** the external network {@code host}: the host's own stack ({@code mode host}) */
    HOST,
    /** the external network {@code none}: loopback only ({@code mode none}) */
    NONE,
    /** the external network {@code bridge}: Docker's default bridge, netc's {@code default} */
    BRIDGE
  }

  /** A network key resolved: its kind, and for {@link Kind#NETWORK} the netc name. */
  record Target(Kind kind, String network) {}

  /** The longest project name whose default network's name is a netc name (63 characters). */
  static final int LONGEST_PROJECT = 63 - "-default".length();

  private final String defaultName;
  /** {@code PROJECT-default} when it is too long to be a netc name (then defaultName stands in) */
  private final Optional<String> tooLong;
  private final Word project;
  private final boolean named;
  private final List<Decl.Network> decls = new ArrayList<>();
  private final Map<String, Target> targets = new HashMap<>();
  private boolean defaultUsed;

  /**
   * @param netcProject the project's netc name; its default network is {@code PROJECT-default},
   *     and when that is longer than a name may be, a shortened one stands in for it (an error
   *     says so, unless the project's name is refused already)
   * @param project the project's name as the file gives it (its {@code name}, else its folder's)
   * @param named whether the file gives it a {@code name}
   */
  Networks(String netcProject, Word project, boolean named) {
    String full = netcProject + "-default";
    this.tooLong = full.length() > 63 ? Optional.of(full) : Optional.empty();
    this.defaultName = tooLong.isEmpty() ? full : shortened(netcProject) + "-default";
    this.project = project;
    this.named = named;
  }

  private static String shortened(String project) {
    return project.substring(0, Math.min(project.length(), LONGEST_PROJECT)).replaceAll("-+$", "");
  }

  /** The netc name a Compose network key declares: the key, but {@code default} is the project's. */
  String netcName(String key) {
    return key.equals("default") ? defaultName : key;
  }

  void declare(String key, Decl.Network decl) {
    decls.add(decl);
    targets.put(key, new Target(Kind.NETWORK, decl.name().text()));
  }

  /**
   * Whether the network {@code netcName} declares a subnet of the family ({@code v6}) in its
   * {@code ipam.config}: Docker takes a service's static address only on such a network.
   */
  boolean hasSubnet(String netcName, boolean v6) {
    return decls.stream().filter(d -> d.name().text().equals(netcName)).flatMap(d -> d.settings().stream())
        .filter(x -> x.keyword().text().equals("subnet"))
        .anyMatch(x -> x.values().stream().anyMatch(w -> w.text().contains(":") == v6));
  }

  void declareSpecial(String key, Kind kind) {
    targets.put(key, new Target(kind, ""));
  }

  /**
   * What a service's network key stands for. A key the top-level {@code networks} does not
   * declare (but {@code default}) is passed on as it is, and the resolver reports it unknown.
   */
  Target target(String key) {
    Target t = targets.get(key);
    if (t == null) {
      t = new Target(Kind.NETWORK, key.equals("default") ? defaultName : key);
    }
    // by key: a network keyed `PROJECT-default` is a network of its own (Docker's `PROJECT_PROJECT-default`)
    if (t.kind() == Kind.NETWORK && key.equals("default")) {
      defaultUsed = true;
    }
    return t;
  }

  /** The project's default network, for a service with no {@code networks}. */
  Target projectDefault() {
    return target("default");
  }

  /**
   * Every network declaration: the declared ones in file order, then the default network when a
   * service joins it and the file does not declare it ({@code at}: where to say it comes from).
   */
  List<Decl.Network> decls(Span at, Diagnostics diags) {
    List<Decl.Network> out = new ArrayList<>(decls);
    if (tooLong.isPresent() && (defaultUsed || targets.containsKey("default"))
        && project.text().length() <= 63) {
      String p = tooLong.get().substring(0, tooLong.get().length() - "-default".length());
      diags.add(Diagnostic.of(Code.NETC103, project.span(), "the project name `" + p + "` ("
              + p.length() + " characters) makes the name of its default network, `" + tooLong.get()
              + "`, longer than the 63 characters a name may have")
          .withHint((named ? "shorten the project `name` to at most " + LONGEST_PROJECT + " characters"
              : "the project is named after its folder: add a `name` of at most " + LONGEST_PROJECT
                  + " characters at the top of the file, or rename the folder")
              + ", or give every service `networks` of its own"));
    }
    if (defaultUsed && !targets.containsKey("default")) {
      Optional<Decl.Network> same = decls.stream().filter(d -> d.name().text().equals(defaultName)).findFirst();
      if (same.isPresent()) {
        // Docker tells them apart (PROJECT_default, PROJECT_PROJECT-default); netc's names do not
        diags.add(Diagnostic.of(Code.NETC102, same.get().name().span(), "network `" + defaultName
                + "` has the name netc gives the project's default network, which a service joins"
                + " when it has no `networks` or lists `default`")
            .withHint("rename this network"));
      } else {
        out.add(new Decl.Network(new Word(defaultName, at), List.of(), at));
      }
    }
    return out;
  }
}
