package dev.troupe.api;

import java.util.Objects;
import java.util.function.Consumer;

/**
 * What undoes a durable step once its run fails for good or is cancelled: a name (shown on the
 * run's stream and in its JSON) and an action that receives the step's result. Registered with {@link
 * WorkerContext#step(String, Class, java.util.function.Supplier, Compensation)}.
 *
 * <p>An action must be safe to run again: it is retried per the definition's {@link RetryPolicy},
 * and one interrupted by a lost node runs again on the next attempt; once its success is
 * recorded it never runs again.
 *
 * @param <T> the type of the step's result
 */
public record Compensation<T>(String name, Consumer<T> action) {
  public Compensation {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(action, "action");
    if (name.isBlank()) {
      throw new InvalidArgumentException("a compensation needs a name");
    }
  }

  /** The compensation {@code name} that runs {@code action} with the step's result. */
  public static <T> Compensation<T> of(String name, Consumer<T> action) {
    return new Compensation<>(name, action);
  }
}
