package dev.netc.compiler;

import dev.netc.compiler.ast.Decl;
import dev.netc.compiler.ast.Word;
import dev.netc.compiler.diag.Code;
import dev.netc.compiler.diag.Diagnostic;
import dev.netc.compiler.diag.Diagnostics;
import dev.netc.compiler.ir.Topology;
import dev.netc.compiler.lower.Resolver;
import dev.netc.compiler.parse.Parse;
import dev.netc.compiler.parse.ParsedFile;
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

  private final Set<Code> disabled;

  public Compiler(Set<Code> disabled) {
    this.disabled = Set.copyOf(disabled);
  }

  public Compiler() {
    this(Set.of());
  }

  /** Compiles the topology whose root file is {@code root} (on any file system). */
  public CompileResult compile(Path root) throws IOException {
    SourceReader.Read read = SourceReader.read(root, root.toString());
    if (read.problem().isPresent()) {
      return new CompileResult(Optional.empty(), List.of(read.problem().get()),
          List.of(read.problem().get().span().file()));
    }
    return compile(root, read.file().get());
  }

  /** Compiles from source text already read; imports are resolved against {@code root}. */
  public CompileResult compile(Path root, SourceFile source) {
    Diagnostics diags = new Diagnostics();
    List<ParsedFile> files = new ArrayList<>();
    List<SourceFile> sources = new ArrayList<>();
    Set<Path> seen = new HashSet<>();
    seen.add(root.toAbsolutePath().normalize());
    Deque<Pending> queue = new ArrayDeque<>();
    queue.add(new Pending(root, source));
    while (!queue.isEmpty()) {
      Pending next = queue.poll();
      Path path = next.path();
      ParsedFile parsed = Parse.file(next.source());
      files.add(parsed);
      sources.add(parsed.source());
      parsed.diagnostics().forEach(diags::add);
      for (Decl d : parsed.decls()) {
        if (d instanceof Decl.Import imp) {
          loadImport(path, imp.path(), seen, queue, diags, sources);
        }
      }
    }
    Optional<Topology> topology = Optional.empty();
    boolean syntaxOk = files.stream().noneMatch(ParsedFile::hasSyntaxErrors) && !diags.hasErrors();
    if (syntaxOk) {
      String name = topologyName(root, files, diags);
      List<Decl> all = new ArrayList<>();
      files.forEach(f -> all.addAll(f.decls()));
      topology = new Resolver(diags).resolve(name, all, Span.at(source, 0));
    }
    List<Diagnostic> out = new ArrayList<>();
    for (Diagnostic d : diags.sorted()) {
      if (!disabled.contains(d.code())) {
        out.add(d);
      }
    }
    if (syntaxOk) {
      out = Suppressions.apply(files, out, disabled);
    }
    out.sort(Diagnostic.ORDER);
    boolean errors = out.stream().anyMatch(Diagnostic::isError);
    if (out.size() > MAX_DIAGNOSTICS) {
      out = firstDiagnostics(out, source);
    }
    return new CompileResult(errors ? Optional.empty() : topology, out, sources);
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
  private record Pending(Path path, SourceFile source) {}

  private void loadImport(Path from, Word target, Set<Path> seen, Deque<Pending> queue,
      Diagnostics diags, List<SourceFile> sources) {
    Path path;
    try {
      path = from.resolveSibling(target.text()).normalize();
    } catch (java.nio.file.InvalidPathException e) {
      diags.add(Diagnostic.of(Code.NETC006, target.span(), "cannot import `" + target.text()
          + "`: not a valid path"));
      return;
    }
    if (!seen.add(path.toAbsolutePath().normalize())) {
      return; // imported already (a diamond or a cycle): each file is read once
    }
    try {
      SourceReader.Read read = SourceReader.read(path, path.toString());
      if (read.problem().isPresent()) {
        diags.add(read.problem().get());
        sources.add(read.problem().get().span().file());
        return;
      }
      queue.add(new Pending(path, read.file().get()));
    } catch (IOException e) {
      diags.add(Diagnostic.of(Code.NETC006, target.span(), "cannot import `" + target.text()
              + "`: " + SourceReader.reason(e))
          .withHint("an import path is relative to the file that imports it"));
    }
  }

  private String topologyName(Path root, List<ParsedFile> files, Diagnostics diags) {
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
    String file = root.getFileName() == null ? "topology" : root.getFileName().toString();
    int dot = file.lastIndexOf('.');
    return dot > 0 ? file.substring(0, dot) : file;
  }
}
