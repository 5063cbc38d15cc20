package dev.netc.cli;

import java.util.Arrays;
import java.util.Iterator;
import java.util.Locale;

/**
 * The values of an enum as users write them (lower case), for picocli's completion candidates
 * and the `${COMPLETION-CANDIDATES}` of help texts. Subclasses only name the enum.
 */
abstract class EnumNames<E extends Enum<E>> implements Iterable<String> {
  private final Class<E> type;

  EnumNames(Class<E> type) {
    this.type = type;
  }

  @Override
  public Iterator<String> iterator() {
    return Arrays.stream(type.getEnumConstants()).map(e -> e.name().toLowerCase(Locale.ROOT)).iterator();
  }
}
