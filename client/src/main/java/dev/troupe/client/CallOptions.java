package dev.troupe.client;

import java.time.Duration;
import java.util.List;

/**
 * Options of one call. Immutable; each {@code with…} returns new options.
 *
 * @param idempotencyKey a second call with the same key returns the existing run instead of
 *     starting another; null lets the client make one per call, so that its own retries of that
 *     call can never start a second run
 * @param timeout the timeout of each attempt, overriding the worker's; null keeps the worker's
 * @param tags recorded with the run
 */
public record CallOptions(String idempotencyKey, Duration timeout, List<String> tags) {
  /** No options: the worker's timeout, no tags, a fresh idempotency key per call. */
  public static final CallOptions NONE = new CallOptions(null, null, List.of());

  public CallOptions {
    tags = tags == null ? List.of() : List.copyOf(tags);
  }

  public CallOptions withIdempotencyKey(String key) {
    return new CallOptions(key, timeout, tags);
  }

  public CallOptions withTimeout(Duration t) {
    return new CallOptions(idempotencyKey, t, tags);
  }

  public CallOptions withTags(List<String> t) {
    return new CallOptions(idempotencyKey, timeout, t);
  }
}
