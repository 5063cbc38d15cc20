package dev.netc.cli;

import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;

/**
 * The values of an enum as users write them (lower case): picocli's completion candidates and
 * the `${COMPLETION-CANDIDATES}` of help texts (subclasses only name the enum), and the values a
 * bad one is told about ({@link #register}).
 */
abstract class EnumNames<E extends Enum<E>> implements Iterable<String> {
  private final Class<E> type;

  EnumNames(Class<E> type) {
    this.type = type;
  }

  @Override
  public Iterator<String> iterator() {
    return of(type).iterator();
  }

  /** The values of {@code type} as users write them, in declaration order. */
  static List<String> of(Class<?> type) {
    return Arrays.stream(type.getEnumConstants()).map(e -> ((Enum<?>) e).name().toLowerCase(Locale.ROOT)).toList();
  }

  /**
   * Registers on {@code cl} and its subcommands, for every enum an option or a positional
   * parameter of theirs takes, a converter that reads a value in any case and refuses any other
   * value, listing the values as the help does: {@code expected one of [text, json]
   * (case-insensitive) but was 'xml'} (picocli's own lists the constants' names, {@code [TEXT,
   * JSON]}).
   */
  static void register(CommandLine cl) {
    Set<Class<?>> enums = new LinkedHashSet<>();
    collect(cl, enums);
    enums.forEach(type -> cl.registerConverter(cast(type), converter(type)));
  }

  private static void collect(CommandLine cl, Set<Class<?>> out) {
    for (ArgSpec arg : cl.getCommandSpec().args()) {
      for (Class<?> type : arg.auxiliaryTypes()) {
        if (type.isEnum()) {
          out.add(type);
        }
      }
    }
    cl.getSubcommands().values().forEach(sub -> collect(sub, out));
  }

  /** The value of {@code type} named {@code value}, in any case. */
  private static CommandLine.ITypeConverter<Object> converter(Class<?> type) {
    return value -> {
      for (Object e : type.getEnumConstants()) {
        if (((Enum<?>) e).name().equalsIgnoreCase(value)) {
          return e;
        }
      }
      throw new CommandLine.TypeConversionException(
          "expected one of " + of(type) + " (case-insensitive) but was '" + value + "'");
    };
  }

  @SuppressWarnings("unchecked")
  private static Class<Object> cast(Class<?> type) {
    return (Class<Object>) type;
  }
}
