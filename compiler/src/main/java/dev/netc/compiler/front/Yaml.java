package dev.netc.compiler.front;

import dev.netc.compiler.ast.Word;
import dev.netc.compiler.diag.Code;
import dev.netc.compiler.diag.Diagnostic;
import dev.netc.compiler.diag.Diagnostics;
import dev.netc.compiler.source.SourceFile;
import dev.netc.compiler.source.Span;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import org.snakeyaml.engine.v2.api.LoadSettings;
import dev.netc.compiler.parse.Comment;
import org.snakeyaml.engine.v2.api.lowlevel.Compose;
import org.snakeyaml.engine.v2.api.lowlevel.Parse;
import org.snakeyaml.engine.v2.comments.CommentType;
import org.snakeyaml.engine.v2.events.CommentEvent;
import org.snakeyaml.engine.v2.events.Event;
import org.snakeyaml.engine.v2.exceptions.Mark;
import org.snakeyaml.engine.v2.exceptions.MarkedYamlEngineException;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeTuple;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.SequenceNode;

/**
 * YAML for the front ends, read with snakeyaml-engine into node trees whose marks become the
 * same {@link Span}s {@code .netc} files have, so YAML and {@code .netc} diagnostics look alike.
 * Broken YAML is a positioned NETC010; aliases are limited (no "billion laughs").
 */
public final class Yaml {
  private final SourceFile file;

  private Yaml(SourceFile file) {
    this.file = file;
  }

  public static Yaml of(SourceFile file) {
    return new Yaml(file);
  }

  public SourceFile file() {
    return file;
  }

  /**
   * Every document of the file (a multi-document stream gives several); none on a YAML syntax
   * error, and not those with a key given twice (each a NETC010).
   */
  public List<Node> documents(Diagnostics diags) {
    return documents(diags, false);
  }

  /** The YAML syntax errors told in one file before the reading stops ({@link #documents(Diagnostics, boolean)}). */
  static final int SYNTAX_ERRORS = 50;

  /**
   * {@link #documents(Diagnostics)}, but with {@code resume} a YAML syntax error leaves out only
   * the documents it is in: the ones before it are kept, and the reading starts again at the next
   * line that begins a document ({@code ---}) after the error, as {@code kubectl} splits a stream
   * on those lines before it parses each document. One NETC010 for each stretch left out, and
   * after {@link #SYNTAX_ERRORS} of them a NETC005: the rest of the file is not read.
   */
  public List<Node> documents(Diagnostics diags, boolean resume) {
    LoadSettings settings = LoadSettings.builder().setLabel(file.path())
        .setAllowDuplicateKeys(false).setMaxAliasesForCollections(50)
        .setCodePointLimit(64 << 20).build();
    List<Node> out = new ArrayList<>();
    int from = 0; // the line (from 0) the reading starts at
    for (int stretches = 1; ; stretches++) {
      String input = from(file, from);
      int errorLine;
      Diagnostic told;
      try {
        for (Node n : new Compose(settings).composeAllFromString(input)) {
          if (n != null) {
            out.add(n);
          }
        }
        break;
      } catch (MarkedYamlEngineException e) {
        Span at = e.getProblemMark().map(this::span).orElse(Span.at(file, 0));
        told = diags.add(Diagnostic.of(Code.NETC010, at, "this is not valid YAML: " + firstLine(e.getProblem()))
            .withHint(hint(e)));
        errorLine = e.getProblemMark().map(Mark::getLine).orElse(from);
      } catch (YamlEngineException e) {
        told = diags.add(Diagnostic.of(Code.NETC010, Span.at(file, file.offset(from + 1, 1)), "this is not valid YAML: "
            + firstLine(e.getMessage())));
        errorLine = from;
      } catch (StackOverflowError e) {
        // snakeyaml-engine descends once per level of nesting and has no limit of its own
        told = diags.add(Diagnostic.of(Code.NETC010, Span.at(file, file.offset(from + 1, 1)), "this YAML nests too deeply to be read")
            .withHint("no topology needs more than a few dozen levels of nesting"));
        errorLine = from;
      }
      if (!resume) {
        return List.of();
      }
      if (stretches == SYNTAX_ERRORS) {
        // (each stretch parses the rest of the file again: a file of many broken documents
        // would take quadratic time)
        diags.add(Diagnostic.of(Code.NETC005, told.span(), "too many syntax errors: stopped after "
                + SYNTAX_ERRORS + "; the rest of the file was not read")
            .withHint("fix these first, then run netc again"));
        break;
      }
      OptionalInt next = documentStart(file, Math.max(errorLine, from + 1));
      if (next.isEmpty()) {
        break;
      }
      from = next.getAsInt();
    }
    // a key given twice in one mapping: YAML forbids it, and reading on would keep one of the
    // two silently (the node API does not check what loading into objects does); the document is
    // left out, and the others are read
    List<Node> read = new ArrayList<>();
    for (Node n : out) {
      int before = diags.errorCount();
      duplicateKeys(n, diags);
      if (diags.errorCount() == before) {
        read.add(n);
      }
    }
    return read;
  }

  /** The text of {@code file} from line {@code from} (from 0), the lines before as empty ones: marks keep the file's line numbers. */
  private static String from(SourceFile file, int from) {
    return from == 0 ? file.text() : "\n".repeat(from) + file.text().substring(file.offset(from + 1, 1));
  }

  /**
   * The first line of {@code file}, from line {@code from} (from 0) on, that begins a YAML
   * document: {@code ---} alone or followed by a space or tab.
   */
  static OptionalInt documentStart(SourceFile file, int from) {
    String text = file.text();
    for (int line = from; line < file.lineCount(); line++) {
      int i = file.offset(line + 1, 1);
      if (text.startsWith("---", i) && (i + 3 == text.length() || " \t\r\n".indexOf(text.charAt(i + 3)) >= 0)) {
        return OptionalInt.of(line);
      }
    }
    return OptionalInt.empty();
  }

  /**
   * Reports each key given again in a mapping of {@code root} (iteratively: no depth limit), and
   * a node that holds an alias to itself (`podIPs: &a [10.1.0.5, *a]`): a structure without end,
   * which no field of Compose or Kubernetes takes and which a reader that follows aliases would
   * follow for ever; told once.
   */
  private void duplicateKeys(Node root, Diagnostics diags) {
    java.util.ArrayDeque<Node> todo = new java.util.ArrayDeque<>();
    java.util.Set<Node> seen = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
    boolean recursionTold = false;
    todo.push(root);
    while (!todo.isEmpty()) {
      Node n = todo.pop();
      if (!seen.add(n)) {
        continue; // an alias to a node already walked
      }
      if (n.isRecursive() && !recursionTold) {
        recursionTold = true;
        diags.add(Diagnostic.of(Code.NETC010, span(n), "this is not valid here: this node holds an alias"
                + " to itself, a structure without end")
            .withHint("write the values out, or alias a node from outside the one that names it"));
      }
      if (n instanceof MappingNode m) {
        Map<String, Node> keys = new java.util.HashMap<>();
        for (NodeTuple t : m.getValue()) {
          if (t.getKeyNode() instanceof ScalarNode k && !k.getValue().equals("<<")) {
            Node first = keys.putIfAbsent(k.getValue(), k);
            if (first != null) {
              diags.add(Diagnostic.of(Code.NETC010, span(k), "this is not valid YAML: key `" + k.getValue()
                      + "` is given twice in this mapping")
                  .withRelated(span(first), "first given here")
                  .withHint("keep one of the two: YAML takes neither over the other"));
            }
          }
          todo.push(t.getKeyNode());
          todo.push(t.getValueNode());
        }
      } else if (n instanceof SequenceNode q) {
        q.getValue().forEach(todo::push);
      }
    }
  }

  /**
   * The comments of the file, each with its place and whether something precedes it on its line
   * (as {@code .netc} comments, so that {@code # netc:ignore} reads alike in both). Read by the
   * YAML scanner, so a {@code #} inside a quoted or plain scalar is no comment. Broken YAML gives
   * the comments before the break.
   */
  public static List<Comment> comments(SourceFile file) {
    List<Comment> out = new ArrayList<>();
    LoadSettings settings = LoadSettings.builder().setParseComments(true)
        .setMaxAliasesForCollections(50).setCodePointLimit(64 << 20).build();
    int from = 0;
    // after a syntax error, from the next line that begins a document, as the documents are read
    // (documents(diags, true)): the suppressions of the documents read after it are found too
    for (int stretches = 1; stretches <= SYNTAX_ERRORS; stretches++) {
      int errorLine;
      try {
        for (Event e : new Parse(settings).parseString(from(file, from))) {
          if (e instanceof CommentEvent c && c.getCommentType() != CommentType.BLANK_LINE
              && c.getStartMark().isPresent()) {
            Mark m = c.getStartMark().get();
            int start = file.offset(m.getLine() + 1, m.getColumn() + 1);
            int end = start + 1 + c.getValue().length();
            out.add(new Comment("#" + c.getValue(), new Span(file, start, Math.min(end, file.text().length())),
                c.getCommentType() == CommentType.IN_LINE));
          }
        }
        return out;
      } catch (MarkedYamlEngineException e) {
        errorLine = e.getProblemMark().map(Mark::getLine).orElse(from);
      } catch (YamlEngineException | IllegalArgumentException | StackOverflowError e) {
        errorLine = from; // the YAML error itself is reported where the documents are read
      }
      OptionalInt next = documentStart(file, Math.max(errorLine, from + 1));
      if (next.isEmpty()) {
        break;
      }
      from = next.getAsInt();
    }
    return out;
  }

  private static final java.util.regex.Pattern TOP_LEVEL_KEY =
      java.util.regex.Pattern.compile("(?m)^\uFEFF?(---|[A-Za-z_\"'][A-Za-z0-9_.\"'-]*\\s*:(\\s|$))");

  /**
   * Whether the text has a line that starts a YAML document or a top-level key ({@code key:}
   * at the start of a line, the first one after a byte order mark too), which no {@code .netc}
   * line does: a cheap gate before any parsing.
   */
  public static boolean looksLikeYaml(SourceFile file) {
    return TOP_LEVEL_KEY.matcher(file.text()).find() || opensWithABrace(file.text());
  }

  /**
   * A file that opens with a flow mapping, {@code {"services": ...}} or {@code {services: ...}}
   * (after white space, comments and a byte order mark): JSON is YAML, and a Compose file or a
   * manifest may be written so; a {@code .netc} file never starts with a brace. A plain scan,
   * not a pattern (a pattern's repeated group recurses once per line: deep for a long file).
   */
  static boolean opensWithABrace(String text) {
    int i = firstContent(text);
    return i >= 0 && text.charAt(i) == '{';
  }

  /**
   * The offset of the first character of {@code text} that is not white space, a byte order mark
   * or in a {@code #} comment; -1 when there is none.
   */
  public static int firstContent(String text) {
    int i = text.startsWith("\uFEFF") ? 1 : 0;
    while (i < text.length()) {
      char c = text.charAt(i);
      if (c == '#') {
        int nl = text.indexOf('\n', i);
        if (nl < 0) {
          return -1;
        }
        i = nl + 1;
      } else if (Character.isWhitespace(c)) {
        i++;
      } else {
        return i;
      }
    }
    return -1;
  }


  /** Cheap test used by {@link Frontend#accepts}: the first documents' top-level keys. */
  public static List<String> topLevelKeys(SourceFile file) {
    List<String> keys = new ArrayList<>();
    if (!looksLikeYaml(file)) {
      return keys;
    }
    try {
      LoadSettings settings = LoadSettings.builder().setMaxAliasesForCollections(50).build();
      for (Node n : new Compose(settings).composeAllFromString(file.text())) {
        if (n instanceof MappingNode m) {
          for (NodeTuple t : m.getValue()) {
            if (t.getKeyNode() instanceof ScalarNode s) {
              keys.add(s.getValue());
            }
          }
        }
        if (keys.size() > 50) {
          break;
        }
      }
    } catch (YamlEngineException | IllegalArgumentException | StackOverflowError e) {
      return keys; // not YAML (or not only YAML, or too deep): let the caller decide from what was read
    }
    return keys;
  }

  /** The node's span in the file. */
  public Span span(Node n) {
    Span start = n.getStartMark().map(this::span).orElse(Span.at(file, 0));
    Span end = n.getEndMark().map(this::span).orElse(start);
    return new Span(file, start.start(), Math.max(start.start(), end.start()));
  }

  /** A scalar as a word with its span (a quoted scalar's span includes its quotes). */
  public Optional<Word> word(Node n) {
    return n instanceof ScalarNode s ? Optional.of(new Word(s.getValue(), span(n))) : Optional.empty();
  }

  /** A mapping's entries by key, in order (non-scalar keys are skipped). */
  public Map<String, NodeTuple> entries(Node n) {
    Map<String, NodeTuple> out = new LinkedHashMap<>();
    if (n instanceof MappingNode m) {
      for (NodeTuple t : m.getValue()) {
        if (t.getKeyNode() instanceof ScalarNode s) {
          out.put(s.getValue(), t);
        }
      }
    }
    return out;
  }

  /** The items of a sequence (empty for anything else). */
  public List<Node> items(Node n) {
    return n instanceof SequenceNode s ? s.getValue() : List.of();
  }

  /** The place a snakeyaml-engine mark points to. */
  public Span span(Mark m) {
    return Span.at(file, file.offset(m.getLine() + 1, m.getColumn() + 1));
  }

  /**
   * The hint of a YAML syntax error: what to check, for the parser's contexts a user meets
   * ("while parsing a block mapping" says nothing to one), else snakeyaml's context when it gives
   * one (not always: "" too).
   */
  private static String hint(MarkedYamlEngineException e) {
    String problem = String.valueOf(e.getProblem());
    String context = e.getContext() == null ? "" : firstLine(e.getContext());
    if (problem.startsWith("found undefined alias")) {
      return "an alias `*NAME` repeats the node of an anchor `&NAME` given before it in the document";
    }
    if (problem.contains("(TAB)")) {
      return "YAML indents with spaces only: replace the tabs at the start of the line with spaces";
    }
    if (context.startsWith("while parsing a block mapping") || context.startsWith("while parsing a block collection")) {
      return "check the indentation: a key lines up with the other keys of its mapping, a `-` item with the"
          + " other items of its list";
    }
    if (context.startsWith("while parsing a flow")) {
      return "a `[` or `{` is not closed, or two of its items have no `,` between them";
    }
    if (context.startsWith("while scanning a quoted scalar")) {
      return "a quoted value is not closed: check its quotes";
    }
    return context.isBlank() ? "check the indentation and the quoting near here" : context;
  }

  /** The first line of a library message (snakeyaml's messages run over several). */
  public static String firstLine(String s) {
    if (s == null) {
      return "unreadable";
    }
    int nl = s.indexOf('\n');
    return nl < 0 ? s : s.substring(0, nl);
  }
}
