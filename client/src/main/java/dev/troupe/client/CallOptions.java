package dev.troupe.client;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.util.List;
import java.util.UUID;

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

  /**
   * The body of a start call with {@code payload} and these options; a random idempotency key
   * when none is set.
   */
  String body(Object payload) {
    ObjectNode b = Json.MAPPER.createObjectNode();
    b.set("payload", Json.MAPPER.valueToTree(payload));
    b.put("idempotencyKey", idempotencyKey != null ? idempotencyKey : UUID.randomUUID().toString());
    if (timeout != null) {
      b.put("timeoutMs", timeout.toMillis());
    }
    if (!tags.isEmpty()) {
      b.set("tags", Json.MAPPER.valueToTree(tags));
    }
    try {
      return Json.MAPPER.writeValueAsString(b);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("the payload cannot be written as JSON", e);
    }
  }
}
