package dev.netc.compiler;

import dev.netc.compiler.ast.Decl;
import dev.netc.compiler.ast.Word;
import dev.netc.compiler.check.Checks;
import dev.netc.compiler.front.Frontend;
import dev.netc.compiler.front.Frontends;
import dev.netc.compiler.front.Yaml;
import dev.netc.compiler.ipam.Ipam;
import dev.netc.compiler.ipam.Lock;
import dev.netc.compiler.ipam.LockDiff;
import dev.netc.compiler.ipam.LockReader;
import dev.netc.compiler.ipam.LockState;
import dev.netc.compiler.model.Reachability;
import dev.netc.compiler.diag.Code;
import dev.netc.compiler.diag.Diagnostic;
import dev.netc.compiler.diag.Diagnostics;
import dev.netc.compiler.ir.Network;
import dev.netc.compiler.ir.Topology;
import dev.netc.compiler.lower.Resolver;
import dev.netc.compiler.parse.Parse;
import dev.netc.compiler.parse.ParsedFile;
import dev.netc.compiler.source.Project;
import dev.netc.compiler.source.SourceFile;
import dev.netc.compiler.source.SourceReader;
import dev.netc.compiler.source.Span;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The compiler's entry point: reads a {@code .netc} file and everything it imports, parses,
 * resolves into the IR, applies suppressions and disabled codes. Never throws for bad input; an
 * unreadable root file is the one failure reported as an exception ({@link IOException}), since
 * there is no source to point into.
 */
public final class Compiler {
  /**
   * The most diagnostics one compilation reports; past it a NETC005 note says how many were left
   * out. Like javac's and clang's error limits: beyond this a report helps no one, and printing
   * tens of thousands of snippets (a 10 MB file of duplicates) took longer than the compile.
   */
  public static final int MAX_DIAGNOSTICS = 1000;

  /** A topology name: a DNS label, as every netc name ({@code Values#name}). */
  private static final String TOPOLOGY_NAME = "[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?";

  private final Set<Code> disabled;
  private final boolean locked;

  /**
   * @param disabled codes whose diagnostics are dropped
   * @param locked when true, a lock file that would change is an error (NETC231), as in CI
   */
  public Compiler(Set<Code> disabled, boolean locked) {
    this.disabled = Set.copyOf(disabled);
    this.locked = locked;
  }

  public Compiler(Set<Code> disabled) {
    this(disabled, false);
  }

  public Compiler() {
    this(Set.of(), false);
  }

  /**
   * Compiles the topology whose root file is {@code root} (on any file system); a folder is the
   * set of Kubernetes manifests in it, as {@code kubectl apply -f DIR} reads them.
   */
  public CompileResult compile(Path root) throws IOException {
    if (java.nio.file.Files.isDirectory(root)) {
      return compile(root, dev.netc.compiler.source.Manifests.list(root, false));
    }
    Optional<Diagnostic> out = outside(root, project(root), "`" + root + "`");
    if (out.isPresent()) {
      return new CompileResult(Optional.empty(), List.of(out.get()), List.of(out.get().span().file()), Optional.empty());
    }
    SourceReader.Read read = SourceReader.read(root, root.toString());
    if (read.problem().isPresent()) {
      return new CompileResult(Optional.empty(), List.of(read.problem().get()),
          List.of(read.problem().get().span().file()), Optional.empty());
    }
    return compile(root, read.file().get());
  }

  /**
   * Compiles the topology of several files read as one: Kubernetes manifests, as {@code kubectl
   * apply -f} takes several files or a folder ({@link dev.netc.compiler.source.Manifests}). The
   * topology and its lock file are named after {@code root} (the folder, or the first file). One
   * file that is {@code root} itself is compiled as {@link #compile(Path)} does; a file that
   * cannot be opened is the one failure thrown ({@link IOException}).
   */
  public CompileResult compile(Path root, List<Path> files) throws IOException {
    if (files.size() == 1 && files.get(0).equals(root)) {
      return compile(root);
    }
    List<SourceFile> read = new ArrayList<>();
    List<Diagnostic> problems = new ArrayList<>();
    for (Path f : files) {
      // each file as given (several may be named, from several folders): no symbolic link out of its project
      Optional<Diagnostic> out = outside(f, project(f), "`" + f + "`");
      if (out.isPresent()) {
        problems.add(out.get());
        continue;
      }
      SourceReader.Read r = SourceReader.read(f, f.toString());
      r.file().ifPresent(read::add);
      r.problem().ifPresent(problems::add);
    }
    if (!problems.isEmpty()) {
      List<SourceFile> sources = new ArrayList<>(read);
      problems.forEach(p -> sources.add(p.span().file()));
      return new CompileResult(Optional.empty(), problems, sources, Optional.empty());
    }
    if (read.isEmpty()) {
      SourceFile none = new SourceFile(root.toString(), "");
      Diagnostic d = Diagnostic.of(Code.NETC021, Span.at(none, 0), "`" + root
              + "` holds no `.yaml` or `.yml` file, so it holds no Kubernetes object")
          .withHint("name a folder of Kubernetes manifests (with `-R`, its subfolders are read too)");
      return new CompileResult(Optional.empty(), List.of(d), List.of(none), Optional.empty());
    }
    Diagnostics diags = new Diagnostics();
    List<SourceFile> manifests = new ArrayList<>();
    for (SourceFile f : read) {
      Optional<Frontend> kind = Frontends.forFile(f);
      boolean empty = f.text().lines().allMatch(l -> l.isBlank() || l.strip().startsWith("#")
          || l.strip().equals("---"));
      if (empty || kind.isPresent() && kind.get() == Frontends.KUBERNETES) {
        manifests.add(f);
        continue;
      }
      boolean compose = kind.isPresent();
      diags.add(Diagnostic.of(Code.NETC021, Span.at(f, 0), "`" + f.path() + "` is not Kubernetes YAML"
              + (compose ? " but a Compose file" : "") + ": no document has `apiVersion` and `kind`")
          .withHint(compose ? "netc reads one Compose file at a time (it does not merge Compose files)"
              : f.path().endsWith(".netc") ? "a .netc file names the files it needs with `import`"
              : "several files are read together only when they are all Kubernetes manifests"));
    }
    if (diags.hasErrors()) {
      return finish(root, read.get(0), List.of(), new ArrayList<>(read), diags, false);
    }
    return compile(root, Frontends.KUBERNETES, manifests, Frontends.KUBERNETES.read(manifests, diags), diags);
  }

  /**
   * Compiles what {@code frontend} read from {@code files} (Kubernetes or Compose YAML, one file
   * or a set of manifests read as one): its declarations {@code decls} and what it reported into
   * {@code read}, which this adds to; the files' {@code # netc:ignore} comments apply. The
   * topology and its lock file are named after {@code root}. This is what {@link #compile(Path)}
   * does after reading, for a caller that ran the front end itself ({@code netc import}). After
   * an error of a front end that {@linkplain Frontend#recovers recovers}, the objects it read are
   * still resolved and checked ({@link #finish}).
   */
  public CompileResult compile(Path root, Frontend frontend, List<SourceFile> files, List<Decl> decls,
      Diagnostics read) {
    boolean partial = frontend.recovers() && read.hasErrors();
    List<ParsedFile> parsed = new ArrayList<>();
    for (int i = 0; i < files.size(); i++) {
      parsed.add(ParsedFile.yaml(files.get(i), i == 0 && (partial || !stopsReading(read)) ? decls : List.of(),
          Yaml.comments(files.get(i))));
    }
    return finish(root, files.get(0), parsed, new ArrayList<>(files), read, partial);
  }

  /** A file name that says YAML (or JSON, which is YAML): read by a front end, never as {@code .netc}. */
  private static final java.util.regex.Pattern YAML_NAME = java.util.regex.Pattern.compile("(?i)\\.(ya?ml|json)$");

  /** Compiles from source text already read; imports are resolved against {@code root}. */
  public CompileResult compile(Path root, SourceFile source) {
    Diagnostics diags = new Diagnostics();
    List<ParsedFile> files = new ArrayList<>();
    List<SourceFile> sources = new ArrayList<>();
    Set<Path> seen = new HashSet<>();
    try {
      seen.add(root.toRealPath()); // imports are told apart by the paths they lead to
    } catch (IOException e) {
      seen.add(root.toAbsolutePath().normalize());
    }
    Deque<Pending> queue = new ArrayDeque<>();
    Optional<Frontend> foreign = Frontends.forFile(source);
    if (foreign.isPresent()) {
      // a Kubernetes or Compose file: one file, no imports, declarations from the front end
      return compile(root, foreign.get(), List.of(source), foreign.get().read(source, diags), diags);
    }
    if (YAML_NAME.matcher(source.path()).find()) {
      // named as YAML, but of no kind netc reads: said so, not told in the words of the .netc
      // grammar; YAML that cannot be read (a syntax error, nesting too deep, too many aliases) is
      // told as such first, since what kind of file it is cannot be known then
      Diagnostics yaml = new Diagnostics();
      Yaml.of(source).documents(yaml);
      if (yaml.hasErrors()) {
        yaml.sorted().forEach(diags::add);
        return finish(root, source, List.of(), new ArrayList<>(List.of(source)), diags, false);
      }
      List<String> keys = Yaml.topLevelKeys(source);
      boolean mixed = keys.contains("services") && (keys.contains("apiVersion") || keys.contains("kind"));
      diags.add(Diagnostic.of(Code.NETC011, Span.at(source, Math.max(0, Yaml.firstContent(source.text()))), "this file is neither a Compose"
              + " file nor Kubernetes manifests: " + (mixed
                  ? "it mixes a document with a top-level `services` key and one with `apiVersion` or `kind`"
                  : "no document has a top-level `services` key, or `apiVersion` and `kind`"))
          .withHint("netc reads a Compose file (its services under `services:`) or Kubernetes manifests (each"
              + " document with `apiVersion` and `kind`), each in a file of its own; a topology in netc's own"
              + " language goes in a `.netc` file"));
      return finish(root, source, List.of(), new ArrayList<>(List.of(source)), diags, false);
    }
    queue.add(new Pending(root, realFolder(root), source));
    Optional<Path> project = Optional.empty();
    while (!queue.isEmpty()) {
      Pending next = queue.poll();
      Path path = next.path();
      ParsedFile parsed = Parse.file(next.source());
      files.add(parsed);
      sources.add(parsed.source());
      parsed.diagnostics().forEach(diags::add);
      for (Decl d : parsed.decls()) {
        if (d instanceof Decl.Import imp) {
          if (project.isEmpty()) {
            project = Optional.of(project(root));
          }
          loadImport(next, imp.path(), project.get(), seen, queue, diags, sources);
        }
      }
    }
    return finish(root, source, files, sources, diags, false);
  }

  /**
   * Resolves, checks and assigns addresses to what the files declare; applies suppressions.
   * {@code partial}: a front end left out objects it reported errors in, and the files declare
   * the others. They are resolved and checked all the same, so that every error of the input is
   * told at once, but a finding that something is missing may be the left-out objects' doing:
   * the checks that conclude from what nothing gives ({@link
   * dev.netc.compiler.check.Check#needsEveryObject}) do not run, the model's do not either (as
   * after any error), and a suppression that matches nothing is not told (NETC112: what it
   * suppresses may be what did not run).
   */
  private CompileResult finish(Path root, SourceFile source, List<ParsedFile> files,
      List<SourceFile> sources, Diagnostics diags, boolean partial) {
    Optional<Topology> topology = Optional.empty();
    Optional<LockState> lockState = Optional.empty();
    boolean syntaxOk = files.stream().noneMatch(ParsedFile::hasSyntaxErrors) && (partial || !stopsReading(diags));
    if (syntaxOk) {
      String name = topologyName(root, source, files, diags);
      List<Decl> all = new ArrayList<>();
      files.forEach(f -> all.addAll(f.decls()));
      Path lockPath = LockState.pathFor(root);
      Optional<SourceFile> lockFile = readLock(lockPath, diags);
      lockFile.ifPresent(sources::add);
      Optional<LockReader.Located> located = lockFile.map(f -> LockReader.readLocated(f, diags));
      Lock before = located.map(LockReader.Located::lock).orElse(Lock.EMPTY);
      topology = new Resolver(diags).resolve(name, all, Span.at(source, 0), before);
      topology.ifPresent(t -> Checks.run(t, diags, disabled, !partial));
      if (topology.isPresent() && !partial && !diags.hasErrors() && declaresNothing(topology.get())) {
        // (after an error, what it left out may be what is missing)
        Span at = files.isEmpty() ? Span.at(source, 0) : files.get(0).decls().stream()
            .filter(d -> d instanceof Decl.Topology).map(d -> ((Decl.Topology) d).name().span())
            .findFirst().orElse(Span.at(source, 0));
        diags.add(Diagnostic.of(Code.NETC114, at, "topology `" + name
                + "` declares no network, container, pod, service or policy")
            .withHint("declare what it holds; to remove what an apply of it made, run `netc destroy`"
                + " (an apply of a topology that declares nothing removes it too)"));
      }
      if (topology.isPresent() && !diags.hasErrors()) {
        Ipam.Result assigned = Ipam.assign(topology.get(), before);
        topology = Optional.of(assigned.topology());
        Reachability model = new Reachability(assigned.topology());
        Checks.runModel(model, diags, disabled);
        Lock after = assigned.lock().withPorts(model.automaticPorts().lock());
        LockState state = new LockState(lockPath, lockFile.isPresent(), before, after);
        lockState = Optional.of(state);
        if (locked && state.changed()) {
          // at the first entry of the lock file that changes, when one does (not one only added)
          Span at = lockFile.map(f -> LockDiff.firstAt(before, after, located.get().where()).orElse(Span.at(f, 0)))
              .orElse(Span.at(source, 0));
          diags.add(Diagnostic.of(Code.NETC231, at, lockFile.isPresent()
                  ? "the lock file `" + lockPath + "` is out of date: " + LockDiff.describe(before, after)
                  : "there is no lock file `" + lockPath + "`, and --locked needs one")
              .withHint("run `netc lock " + root + "` and commit the lock file"));
        }
      }
    }
    List<Diagnostic> out = new ArrayList<>();
    for (Diagnostic d : diags.sorted()) {
      if (!disabled.contains(d.code())) {
        out.add(d);
      }
    }
    // a YAML file's comments are read whatever stopped its reading: the warnings its front end
    // gave before an error it stopped at are suppressed all the same (but a suppression that
    // matches nothing is not told then: what it suppresses may be past the error; nor after any
    // error: the checks that come after one, the model's and those of a topology that did not
    // resolve, did not run, so what it suppresses may be theirs)
    if (syntaxOk || !files.isEmpty() && files.stream().allMatch(ParsedFile::yaml)) {
      out = Suppressions.apply(files, out, disabled, syntaxOk && !partial && out.stream().noneMatch(Diagnostic::isError));
    }
    out.sort(Diagnostic.ORDER);
    boolean errors = out.stream().anyMatch(Diagnostic::isError);
    if (out.size() > MAX_DIAGNOSTICS) {
      out = firstDiagnostics(out, source);
    }
    return new CompileResult(errors ? Optional.empty() : topology, out, sources, lockState);
  }

  /**
   * Whether what reading the files found stops compilation there, as a syntax error does, for a
   * front end that does not recover ({@link Frontend#recovers}). A name given twice (NETC102)
   * does not: the front end leaves the second out, so the rest is still checked.
   */
  private static boolean stopsReading(Diagnostics diags) {
    return diags.hasErrors() && diags.hasErrorsBesides(Code.NETC102);
  }

  private static Optional<SourceFile> readLock(Path path, Diagnostics diags) {
    // (the lock of a folder of manifests is beside the folder: its own project, not the folder's);
    // told before whether it is a file is: a link out is told so whether its target exists or not
    // (the project of the folder it is in: a link to a folder in its place is not a project of its own)
    Path folder = path.toAbsolutePath().getParent();
    Optional<Diagnostic> out = outside(path, project(folder == null ? path : folder), "the lock file `" + path + "`");
    if (out.isPresent()) {
      diags.add(out.get());
      return Optional.empty();
    }
    if (!java.nio.file.Files.isRegularFile(path)) {
      if (java.nio.file.Files.exists(path, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
        // something else stands there (a folder, a link that leads nowhere or loops, a pipe): not
        // taken for a missing lock file, which `netc lock` could not write there either
        String what = java.nio.file.Files.isDirectory(path) ? "a folder"
            : java.nio.file.Files.isSymbolicLink(path) ? "a symbolic link that leads to no file" : "not a file";
        SourceFile none = new SourceFile(path.toString(), "");
        diags.add(Diagnostic.of(Code.NETC230, Span.at(none, 0), "cannot read the lock file: `" + path + "` is " + what)
            .withHint("the lock file of a topology is the file `" + path.getFileName() + "` beside it: move what"
                + " stands there away, then run `netc lock`"));
      }
      return Optional.empty();
    }
    try {
      SourceReader.Read read = SourceReader.read(path, path.toString());
      read.problem().ifPresent(diags::add);
      return read.file();
    } catch (IOException e) {
      SourceFile none = new SourceFile(path.toString(), "");
      diags.add(Diagnostic.of(Code.NETC230, Span.at(none, 0), "cannot read the lock file: "
          + SourceReader.reason(e)));
      return Optional.empty();
    }
  }

  /**
   * The first {@link #MAX_DIAGNOSTICS} of {@code all} (sorted), errors before anything else so
   * that the report still shows an error whenever there is one, and a note that counts the rest.
   */
  private static List<Diagnostic> firstDiagnostics(List<Diagnostic> all, SourceFile root) {
    List<Diagnostic> kept = new ArrayList<>(MAX_DIAGNOSTICS + 1);
    all.stream().filter(Diagnostic::isError).limit(MAX_DIAGNOSTICS).forEach(kept::add);
    all.stream().filter(d -> !d.isError()).limit(MAX_DIAGNOSTICS - kept.size()).forEach(kept::add);
    kept.sort(Diagnostic.ORDER);
    kept.add(Diagnostic.of(Code.NETC005, Span.at(root, root.text().length()), "too many problems: "
            + (all.size() - MAX_DIAGNOSTICS) + " more not shown after the first " + MAX_DIAGNOSTICS)
        .withHint("fix these and run again"));
    return kept;
  }

  /** A file read but not parsed yet. */
  /** A file to parse: its path as named, the real path of its folder (its imports start there), its text. */
  private record Pending(Path path, Path folder, SourceFile source) {}

  private static Path realFolder(Path file) {
    Path folder = file.toAbsolutePath().getParent();
    try {
      return folder.toRealPath();
    } catch (IOException e) {
      return folder.normalize(); // it was read: not met
    }
  }

  /** The project of {@code root} ({@link Project#of}). */
  static Path project(Path root) {
    return Project.of(root);
  }

  /**
   * When {@code file} leads outside {@code project} ({@link Project#leadsOut}, whether something is
   * there or not): the error, for a file named {@code what}; the file is not to be read.
   */
  private static Optional<Diagnostic> outside(Path file, Path project, String what) {
    Optional<Path> out = Project.leadsOut(file, project);
    if (out.isEmpty()) {
      return Optional.empty(); // inside: reading it says whether it is missing or unreadable
    }
    Path real = out.get();
    SourceFile none = new SourceFile(file.toString(), "");
    return Optional.of(Diagnostic.of(Code.NETC009, Span.at(none, 0), "cannot read " + what + ": "
            + Project.outside(real, project) + "; the file is not read")
        .withHint(Project.RULE));
  }

  private void loadImport(Pending from, Word target, Path project, Set<Path> seen, Deque<Pending> queue,
      Diagnostics diags, List<SourceFile> sources) {
    Path path;
    Path relative;
    try {
      relative = from.path().getFileSystem().getPath(target.text());
      if (relative.isAbsolute()) {
        diags.add(Diagnostic.of(Code.NETC009, target.span(), "cannot import `" + target.text()
                + "`: an absolute path; the file is not read")
            .withHint("an import path is relative to the file that imports it, and stays inside the"
                + " project: the Git work tree of the file netc is given (without one, its folder)"));
        return;
      }
      relative = relative.normalize();
      path = from.path().resolveSibling(relative).normalize();
    } catch (java.nio.file.InvalidPathException e) {
      diags.add(Diagnostic.of(Code.NETC006, target.span(), "cannot import `" + target.text()
          + "`: not a valid path"));
      return;
    }
    // where it leads is known before anything outside the project is looked up: an import that leads
    // out is told so whether a file is there or not (missing or unreadable inside: told below)
    Optional<Path> to = Project.follow(from.folder(), relative, project);
    if (to.isEmpty()) {
      diags.add(Diagnostic.of(Code.NETC006, target.span(), "cannot import `" + target.text()
              + "`: a loop of symbolic links")
          .withHint("an import path is relative to the file that imports it"));
      return;
    }
    if (!to.get().startsWith(project)) {
      diags.add(Diagnostic.of(Code.NETC009, target.span(), "cannot import `" + target.text()
              + "`: " + Project.outside(to.get(), project) + "; the file is not read")
          .withHint("imports stay inside the Git work tree of the file netc is given (without one,"
              + " its folder): move the file there"));
      return;
    }
    if (!seen.add(to.get())) {
      return; // imported already (a diamond or a cycle): each file is read once
    }
    try {
      // the path followed is read, not `path`: the kernel would follow its links again
      SourceReader.Read read = SourceReader.read(to.get(), path.toString());
      if (read.problem().isPresent()) {
        diags.add(read.problem().get());
        sources.add(read.problem().get().span().file());
        return;
      }
      Path folder = relative.getParent() == null ? from.folder()
          : Project.follow(from.folder(), relative.getParent(), project).orElse(to.get().getParent());
      queue.add(new Pending(path, folder, read.file().get()));
    } catch (IOException e) {
      diags.add(Diagnostic.of(Code.NETC006, target.span(), "cannot import `" + target.text()
              + "`: " + SourceReader.reason(e))
          .withHint("an import path is relative to the file that imports it"));
    }
  }

  /**
   * Whether a topology has nothing to realise (a file emptied by mistake, or only comments,
   * hosts or namespaces): no declared network, endpoint, service or policy.
   */
  private static boolean declaresNothing(Topology t) {
    return t.endpoints().isEmpty() && t.services().isEmpty() && t.policies().isEmpty()
        && t.networks().stream().allMatch(Network::implicit);
  }

  private String topologyName(Path root, SourceFile source, List<ParsedFile> files, Diagnostics diags) {
    Word name = null;
    for (int i = 0; i < files.size(); i++) {
      Word inFile = null;
      for (Decl d : files.get(i).decls()) {
        if (d instanceof Decl.Topology t) {
          if (inFile != null) {
            diags.add(Diagnostic.of(Code.NETC008, t.name().span(), "the topology is named twice")
                .withRelated(inFile.span(), "first named here")
                .withHint("a file names its topology once, at the top"));
            continue;
          }
          inFile = t.name();
          if (i == 0) {
            name = inFile;
            if (!inFile.text().matches(TOPOLOGY_NAME)) {
              diags.add(Diagnostic.of(Code.NETC103, inFile.span(), "topology name `" + inFile.text()
                      + "` cannot become a kernel or DNS name")
                  .withHint("use lower-case letters, digits and `-`, at most 63 characters, starting"
                      + " and ending with a letter or digit"));
            }
          } else if (name != null && !name.text().equals(inFile.text())) {
            diags.add(Diagnostic.of(Code.NETC007, t.name().span(), "this file belongs to topology `"
                    + inFile.text() + "`, but it is imported into `" + name.text() + "`")
                .withRelated(name.span(), "the importing topology is named here")
                .withHint("rename one of them, or remove the `topology` line of the imported file"));
          }
        }
      }
    }
    if (name != null) {
      return name.text();
    }
    String named = derivedName(root, source);
    if (!named.matches(TOPOLOGY_NAME)) {
      String file = root.getFileName() == null ? "topology" : root.getFileName().toString();
      int dot = file.lastIndexOf('.');
      diags.add(derivedNameProblem(root, source, file, dot > 0 ? file.substring(0, dot) : file));
    }
    return named;
  }

  /**
   * The name of a topology without a {@code topology} line, after its root file or folder
   * {@code root} ({@code source} its first file): Kubernetes manifests, whose name {@code netc
   * import k8s} prints as that line; not checked (NETC103 when it is no netc name).
   */
  public static String derivedName(Path root, SourceFile source) {
    String file = root.getFileName() == null ? "topology" : root.getFileName().toString();
    int dot = file.lastIndexOf('.');
    String derived = dot > 0 ? file.substring(0, dot) : file;
    Optional<Frontend> foreign = Frontends.forFile(source);
    if (foreign.isPresent() && foreign.get() != Frontends.KUBERNETES) {
      return derived; // a Compose file names its topology after its project, unless it did not read
    }
    // Kubernetes manifests have no `topology` line: their file or folder name is made a netc name
    // (`shop.v1.yaml` is `shop-v1`); the `.k8s` that `netc emit --backend k8s --out` puts in
    // `NAME.k8s.yaml` is left out, so that the export of topology NAME reads back as NAME; a
    // .netc file's is kept
    boolean kubernetes = foreign.isPresent() || java.nio.file.Files.isDirectory(root);
    if (kubernetes && dot > 0 && derived.endsWith(".k8s") && derived.length() > ".k8s".length()) {
      derived = derived.substring(0, derived.length() - ".k8s".length());
    }
    return kubernetes ? dnsLabel(derived) : derived;
  }

  /**
   * The name the topology of {@code root} (its files {@code files}, as {@link #compile(Path,
   * List)} takes them) has when it compiles, told from what can still be read of it when it does
   * not (a syntax error mid-edit, a front end's error): empty when that cannot be told for sure,
   * so that a caller never acts on another topology's name. It is
   * <ul>
   *   <li>for a {@code .netc} file, the name of its {@code topology} line when the parser read that
   *       line and found no error before its end; else, when the file has no syntax error at all
   *       (so surely no {@code topology} line), the file's name without its extension;
   *   <li>for a Compose file that reads as YAML, its project's name: its top-level {@code name}
   *       when it has one that reads, else its folder's;
   *   <li>for a Kubernetes file, several files or a folder of manifests, the file's or folder's
   *       name made a netc name, whatever they hold ({@link #derivedName}).
   * </ul>
   * A name that is not a topology name is none. A file that cannot be read gives none.
   */
  public static Optional<String> readableName(Path root, List<Path> files) {
    if (files.isEmpty()) {
      return Optional.empty();
    }
    SourceFile source;
    try {
      SourceReader.Read read = SourceReader.read(files.get(0), files.get(0).toString());
      if (read.file().isEmpty()) {
        return Optional.empty();
      }
      source = read.file().get();
    } catch (IOException | RuntimeException e) {
      return Optional.empty();
    }
    Optional<Frontend> foreign = Frontends.forFile(source);
    boolean single = files.size() == 1 && files.get(0).equals(root) && !java.nio.file.Files.isDirectory(root);
    Optional<String> name;
    if (!single || foreign.isPresent() && foreign.get() == Frontends.KUBERNETES) {
      // only Kubernetes manifests are read several at a time; they are named after root, as when
      // they compile
      name = Optional.of(derivedName(root, source));
    } else if (foreign.isPresent()) {
      name = composeName(source, foreign.get());
    } else {
      name = netcName(root, source);
    }
    return name.filter(Compiler::validTopologyName);
  }

  /** A Compose file's project name, when its YAML reads and so does its {@code name}, if it has one. */
  private static Optional<String> composeName(SourceFile source, Frontend compose) {
    List<String> keys = Yaml.topLevelKeys(source);
    if (keys.isEmpty()) {
      return Optional.empty(); // broken YAML: whether it has a `name` cannot be told
    }
    List<Decl> decls;
    try {
      decls = compose.read(source, new Diagnostics());
    } catch (RuntimeException e) {
      return Optional.empty();
    }
    Optional<Word> project = decls.stream().filter(d -> d instanceof Decl.Topology).map(d -> ((Decl.Topology) d).name())
        .findFirst();
    // a project named by its `name` has that value's span; one named after its folder, the file's start
    boolean fromName = project.isPresent() && !project.get().span().equals(Span.at(source, 0));
    return project.isPresent() && fromName == keys.contains("name") ? project.map(Word::text) : Optional.empty();
  }

  /** A {@code .netc} file's name: its {@code topology} line's, read whole before any error ({@link Parse#topologyLine}), or its file's. */
  private static Optional<String> netcName(Path root, SourceFile source) {
    Optional<Decl.Topology> line = Parse.topologyLine(source);
    if (line.isPresent()) {
      return Optional.of(line.get().name().text());
    }
    // no topology line: named after the file, when it surely has none (no error where one could hide)
    return Parse.file(source).hasSyntaxErrors() ? Optional.empty() : Optional.of(derivedName(root, source));
  }

  /** Whether {@code name} can be a topology's name (a {@code topology} line's, NETC103 otherwise). */
  public static boolean validTopologyName(String name) {
    return name.matches(TOPOLOGY_NAME);
  }

  /** {@code s} in lower case, each run of other characters than {@code a-z 0-9 -} one {@code -}. */
  private static String dnsLabel(String s) {
    return s.toLowerCase(java.util.Locale.ROOT).replaceAll("[^a-z0-9-]+", "-").replaceAll("^-+|-+$", "");
  }

  /**
   * NETC103 for a topology named after its root file or folder, at the start of the file: the
   * name is checked as a {@code topology} line is, and the hint says how to name it otherwise.
   */
  private static Diagnostic derivedNameProblem(Path root, SourceFile source, String file, String derived) {
    boolean folder = java.nio.file.Files.isDirectory(root);
    String fixed = dnsLabel(derived);
    if (fixed.length() > 63) {
      fixed = fixed.substring(0, 63).replaceAll("-+$", "");
    }
    String extension = folder || derived.length() == file.length() ? "" : file.substring(derived.length());
    String rule = "a name has lower-case letters, digits and `-`, at most 63 characters, starting"
        + " and ending with a letter or digit";
    String renamed = fixed.isEmpty() ? "" : " to `" + fixed + extension + "`";
    String hint;
    if (folder) {
      hint = "a set of Kubernetes manifests is named after its folder: rename the folder" + renamed;
    } else if (Frontends.forFile(source).isPresent()) {
      hint = "a Kubernetes topology is named after its file: rename the file" + renamed;
    } else {
      hint = "add a line `topology " + (fixed.isEmpty() ? "NAME" : fixed)
          + "` at the top of the file, or rename the file" + renamed;
    }
    return Diagnostic.of(Code.NETC103, Span.at(source, 0), "topology name `" + derived
            + "` (from the " + (folder ? "folder" : "file") + " name `" + file
            + "`) cannot become a kernel or DNS name")
        .withHint(fixed.isEmpty() || derived.length() > 63 ? hint + "; " + rule : hint);
  }
}
