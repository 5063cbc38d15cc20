package dev.netc.compiler.ir;

import java.util.Optional;
import java.util.function.Function;

/**
 * The result of reading a value type from text: the value, or why the text is not one. A reason
 * completes the sentence "expected ..., got `text`" or stands alone.
 */
public record Parsed<T>(Optional<T> value, String error) {
  public static <T> Parsed<T> ok(T value) {
    return new Parsed<>(Optional.of(value), "");
  }

  public static <T> Parsed<T> error(String reason) {
    return new Parsed<>(Optional.empty(), reason);
  }

  public boolean ok() {
    return value.isPresent();
  }

  public T get() {
    return value.orElseThrow();
  }

  public <U> Parsed<U> map(Function<T, U> f) {
    return value.isPresent() ? ok(f.apply(value.get())) : error(error);
  }
}
