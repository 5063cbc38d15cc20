package dev.netc.backends.graph;

/** Lets tests in other packages reach the label escapers of {@link GraphExport}. */
public final class GraphExportAccess {
  private GraphExportAccess() {}

  public static String dot(String s) {
    return GraphExport.dotString(s);
  }

  public static String mermaid(String s) {
    return GraphExport.mermaidText(s);
  }
}
