package dev.troupe.api;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * Per-call options; every field may be null (then the definition's value, or none, applies).
 * Each is checked here, so a call with a bad option is refused before anything is recorded.
 *
 * @param timeout overrides the definition's per-attempt timeout; at most {@link
 *     WorkerConfig#MAX_TIMEOUT}
 * @param idempotencyKey a second call with the same key on the same definition returns the
 *     existing run instead of starting a new one (while the run is active or among the
 *     definition's retained finished runs)
 * @param tags labels to find the run by
 * @param priority {@link #MIN_PRIORITY} (lowest) to {@link #MAX_PRIORITY}; higher runs start
 *     first within a definition's queue, first in first out within one priority; null is {@link
 *     #DEFAULT_PRIORITY}
 * @param concurrencyKey the fairness and limit key (a tenant, a customer): a definition's queued
 *     runs are served round-robin across keys, and {@code maxConcurrentPerKey} caps each key
 * @param runAt the instant the run becomes due; until then it is {@link RunStatus#SCHEDULED},
 *     durably. Not together with {@code delay}
 * @param delay how long after it is accepted the run becomes due; not together with {@code runAt}
 * @param dependsOn runs that must all succeed before this one is queued; until then it is {@link
 *     RunStatus#WAITING}, and it ends {@link RunStatus#CANCELLED} naming a dependency that ends
 *     otherwise; the node checks that each names a run it knows
 */
public record CallOptions(Duration timeout, String idempotencyKey, List<String> tags,
    Integer priority, String concurrencyKey, Instant runAt, Duration delay,
    List<String> dependsOn) {
  public static final CallOptions NONE =
      new CallOptions(null, null, List.of(), null, null, null, null, List.of());
  public static final int MIN_PRIORITY = 0;
  public static final int MAX_PRIORITY = 9;
  public static final int DEFAULT_PRIORITY = 4;
  public static final int MAX_DEPENDENCIES = 100;

  public CallOptions {
    if (timeout != null && (timeout.isNegative() || timeout.isZero()
        || timeout.compareTo(WorkerConfig.MAX_TIMEOUT) > 0)) {
      throw new InvalidArgumentException("timeout must be positive and at most "
          + WorkerConfig.MAX_TIMEOUT + ", was " + timeout);
    }
    text("idempotencyKey", idempotencyKey);
    text("concurrencyKey", concurrencyKey);
    tags = tags == null ? List.of() : List.copyOf(tags);
    if (priority != null && (priority < MIN_PRIORITY || priority > MAX_PRIORITY)) {
      throw new InvalidArgumentException("priority must be between " + MIN_PRIORITY + " and "
          + MAX_PRIORITY + ", was " + priority);
    }
    if (delay != null && (delay.isNegative() || delay.isZero())) {
      throw new InvalidArgumentException("delay must be positive, was " + delay);
    }
    if (delay != null && runAt != null) {
      throw new InvalidArgumentException("give runAt or delay, not both");
    }
    dependsOn = dependsOn == null ? List.of() : List.copyOf(dependsOn);
    if (dependsOn.size() > MAX_DEPENDENCIES) {
      throw new InvalidArgumentException("dependsOn names " + dependsOn.size()
          + " runs, more than " + MAX_DEPENDENCIES);
    }
    for (String id : dependsOn) {
      if (id == null || id.isBlank() || id.length() > 100) {
        throw new InvalidArgumentException("dependsOn: '" + id + "' is not a run id");
      }
    }
  }

  /** The options of earlier versions: a timeout, an idempotency key and tags. */
  public CallOptions(Duration timeout, String idempotencyKey, List<String> tags) {
    this(timeout, idempotencyKey, tags, null, null, null, null, List.of());
  }

  private static void text(String name, String value) {
    if (value != null && (value.isBlank() || value.length() > 200)) {
      throw new InvalidArgumentException(name + " must be 1 to 200 characters");
    }
  }

  /** The priority this call gets: its own, or {@link #DEFAULT_PRIORITY}. */
  public int effectivePriority() {
    return priority == null ? DEFAULT_PRIORITY : priority;
  }

  public CallOptions withTimeout(Duration t) {
    return new CallOptions(t, idempotencyKey, tags, priority, concurrencyKey, runAt, delay,
        dependsOn);
  }

  public CallOptions withIdempotencyKey(String k) {
    return new CallOptions(timeout, k, tags, priority, concurrencyKey, runAt, delay, dependsOn);
  }

  public CallOptions withTags(List<String> t) {
    return new CallOptions(timeout, idempotencyKey, t, priority, concurrencyKey, runAt, delay,
        dependsOn);
  }

  public CallOptions withPriority(int p) {
    return new CallOptions(timeout, idempotencyKey, tags, p, concurrencyKey, runAt, delay,
        dependsOn);
  }

  public CallOptions withConcurrencyKey(String k) {
    return new CallOptions(timeout, idempotencyKey, tags, priority, k, runAt, delay, dependsOn);
  }

  /** Due at {@code at}: the run is {@link RunStatus#SCHEDULED} until then. Replaces a delay. */
  public CallOptions runAt(Instant at) {
    return new CallOptions(timeout, idempotencyKey, tags, priority, concurrencyKey, at, null,
        dependsOn);
  }

  /** Due {@code d} after it is accepted. Replaces a runAt. */
  public CallOptions delay(Duration d) {
    return new CallOptions(timeout, idempotencyKey, tags, priority, concurrencyKey, null, d,
        dependsOn);
  }

  public CallOptions dependsOn(List<String> runIds) {
    return new CallOptions(timeout, idempotencyKey, tags, priority, concurrencyKey, runAt, delay,
        runIds);
  }

  public CallOptions dependsOn(String... runIds) {
    return dependsOn(List.of(runIds));
  }
}
