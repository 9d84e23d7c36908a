package dev.troupe.api;

import java.time.Duration;
import java.util.List;

/**
 * Per-call options; every field may be null (then the definition's value applies).
 *
 * @param timeout overrides the definition's per-attempt timeout; at most {@link
 *     WorkerConfig#MAX_TIMEOUT}
 * @param idempotencyKey a second call with the same key on the same definition returns the
 *     existing run instead of starting a new one (while the run is active or among the
 *     definition's retained finished runs)
 */
public record CallOptions(Duration timeout, String idempotencyKey, List<String> tags) {
  public static final CallOptions NONE = new CallOptions(null, null, List.of());

  public CallOptions {
    if (timeout != null && (timeout.isNegative() || timeout.isZero()
        || timeout.compareTo(WorkerConfig.MAX_TIMEOUT) > 0)) {
      throw new InvalidArgumentException("timeout must be positive and at most "
          + WorkerConfig.MAX_TIMEOUT + ", was " + timeout);
    }
    if (idempotencyKey != null && (idempotencyKey.isBlank() || idempotencyKey.length() > 200)) {
      throw new InvalidArgumentException("idempotencyKey must be 1 to 200 characters");
    }
    tags = tags == null ? List.of() : List.copyOf(tags);
  }

  public CallOptions withTimeout(Duration t) {
    return new CallOptions(t, idempotencyKey, tags);
  }

  public CallOptions withIdempotencyKey(String k) {
    return new CallOptions(timeout, k, tags);
  }

  public CallOptions withTags(List<String> t) {
    return new CallOptions(timeout, idempotencyKey, t);
  }
}
