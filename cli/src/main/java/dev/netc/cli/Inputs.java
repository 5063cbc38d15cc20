package dev.netc.cli;

import dev.netc.compiler.CompileResult;
import dev.netc.compiler.Compiler;
import dev.netc.compiler.source.Manifests;
import dev.netc.compiler.source.SourceReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import picocli.CommandLine.Option;

/**
 * Reading topologies named on the command line. A topology argument is a {@code .netc} file, a
 * Kubernetes or Compose YAML file, or a set of Kubernetes manifests read as one, as {@code
 * kubectl apply -f} takes them: a folder (its {@code .yaml} and {@code .yml} files in name order;
 * with {@code -R} its subfolders' too), or several files and folders separated by commas.
 */
final class Inputs {
  /** The description of a topology argument, for every command's help. */
  static final String FILE = "Topology: a .netc file, a Kubernetes or Compose YAML file, or"
      + " Kubernetes manifests read as one: a folder, or files and folders separated by `,`.";

  private Inputs() {}

  /** The option of every command that reads a topology: whether a folder's subfolders count. */
  static final class Options {
    @Option(names = {"-R", "--recursive"},
        description = "Read the manifests in the subfolders of a folder too, as `kubectl -R` does.")
    boolean recursive;
  }

  /** What a topology argument names: the path the topology is named after, and its files. */
  record Named(Path root, List<Path> files) {
    boolean single() {
      return files.size() == 1 && files.get(0).equals(root);
    }
  }

  /** A one-line {@link Netc.UserError} for an empty FILE argument (a script's variable that expanded to nothing). */
  static void requireName(String arg) {
    if (arg.isBlank()) {
      throw new Netc.UserError("the file name is empty: name a .netc file, a Compose or Kubernetes YAML file,"
          + " or a folder of Kubernetes manifests");
    }
  }

  /** The files {@code arg} names; a name that is neither a file nor a folder is a {@link Netc.UserError}. */
  static Named resolve(Netc.Context ctx, String arg, boolean recursive) {
    requireName(arg);
    Path whole = ctx.fs().getPath(arg);
    List<String> parts = Files.exists(whole) || !arg.contains(",") ? List.of(arg) : List.of(arg.split(",", -1));
    Path root = null;
    List<Path> files = new ArrayList<>();
    Set<Path> seen = new HashSet<>();
    for (String part : parts) {
      if (part.isEmpty()) {
        throw new Netc.UserError("`" + arg + "` has an empty name between its commas");
      }
      Path p = ctx.fs().getPath(part);
      List<Path> named;
      if (Files.isDirectory(p)) {
        try {
          named = Manifests.list(p, recursive);
        } catch (IOException e) {
          throw Netc.UserError.unreadable(part, "cannot read `" + part + "`: " + SourceReader.reason(e));
        }
        if (named.isEmpty()) {
          throw Netc.UserError.unreadable(part, "`" + part + "` holds no .yaml or .yml file"
              + (recursive ? "" : " (its subfolders are read with -R)") + netcFiles(p));
        }
      } else if (Files.exists(p)) {
        named = List.of(p);
      } else {
        // not there, or not reachable (a loop of links, a folder that cannot be searched): why
        String why = "no such file";
        try {
          Files.readAttributes(p, java.nio.file.attribute.BasicFileAttributes.class);
        } catch (IOException e) {
          why = SourceReader.reason(e);
        }
        throw Netc.UserError.unreadable(part, "cannot read `" + part + "`: " + why);
      }
      for (Path f : named) {
        if (seen.add(f.toAbsolutePath().normalize())) { // a file named twice is read once
          files.add(f);
        }
      }
      if (root == null) {
        root = p.getFileName() == null || p.getFileName().toString().matches("\\.\\.?")
            ? p.toAbsolutePath().normalize() : p; // `netc lint .` is named after the folder
      }
    }
    return new Named(root, files);
  }

  /**
   * For a folder of {@code .netc} files given where a topology is expected (which a folder is only
   * as a set of Kubernetes manifests): what to name instead, the first of them; else empty.
   */
  private static String netcFiles(Path folder) {
    try (java.util.stream.Stream<Path> s = Files.list(folder)) {
      return s.filter(f -> f.getFileName().toString().endsWith(".netc") && Files.isRegularFile(f))
          .map(Path::toString).sorted().findFirst()
          .map(f -> "; a folder stands for Kubernetes manifests: name a .netc file itself, such as `" + f + "`")
          .orElse("");
    } catch (IOException e) {
      return "";
    }
  }

  /** Compiles {@code name}; a file that cannot be read is a {@link Netc.UserError}. */
  static CompileResult compile(Netc.Context ctx, Compiler compiler, String name, boolean recursive) {
    Named named = resolve(ctx, name, recursive);
    try {
      return named.single() ? compiler.compile(named.root()) : compiler.compile(named.root(), named.files());
    } catch (IOException e) {
      // of several files, the one that could not be read (the exception names it)
      String which = !named.single() && e instanceof java.nio.file.FileSystemException f && f.getFile() != null
          ? f.getFile() : name;
      throw Netc.UserError.unreadable(which, "cannot read `" + which + "`: " + SourceReader.reason(e));
    }
  }

  /** Compiles {@code name}, a folder without its subfolders. */
  static CompileResult compile(Netc.Context ctx, Compiler compiler, String name) {
    return compile(ctx, compiler, name, false);
  }
}
