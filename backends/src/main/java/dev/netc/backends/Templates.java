package dev.netc.backends;

import freemarker.template.Configuration;
import freemarker.template.Template;
import freemarker.template.TemplateException;
import freemarker.template.TemplateExceptionHandler;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.TimeZone;

/**
 * The one FreeMarker configuration of netc: templates from the classpath, UTF-8, errors rethrown
 * (a template error is a bug), numbers and booleans printed as a computer reads them. Templates
 * only iterate and print what Java already computed, sorted and escaped.
 */
public final class Templates {
  private static final Configuration CONFIG = configure();

  private Templates() {}

  private static Configuration configure() {
    Configuration c = new Configuration(Configuration.VERSION_2_3_34);
    c.setClassForTemplateLoading(Templates.class, "/dev/netc/backends/templates");
    c.setDefaultEncoding(StandardCharsets.UTF_8.name());
    c.setTemplateExceptionHandler(TemplateExceptionHandler.RETHROW_HANDLER);
    c.setLogTemplateExceptions(false);
    c.setWrapUncheckedExceptions(true);
    c.setFallbackOnNullLoopVariable(false);
    c.setNumberFormat("computer");
    c.setBooleanFormat("c");
    c.setLocale(Locale.ROOT);
    c.setTimeZone(TimeZone.getTimeZone("UTC"));
    c.setWhitespaceStripping(true);
    return c;
  }

  /** Renders template {@code name} (under {@code templates/}) with {@code model}. */
  public static String render(String name, Object model) {
    StringWriter out = new StringWriter();
    render(name, model, out);
    return out.toString();
  }

  /** Renders template {@code name} straight into {@code out}. */
  public static void render(String name, Object model, java.io.Writer out) {
    try {
      Template t = CONFIG.getTemplate(name);
      t.process(model, out);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (TemplateException e) {
      throw new IllegalStateException("template " + name + " failed: " + e.getMessage(), e);
    }
  }
}
