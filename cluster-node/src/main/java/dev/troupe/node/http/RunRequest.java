package dev.troupe.node.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.troupe.api.CallOptions;
import dev.troupe.api.InvalidArgumentException;
import dev.troupe.api.WorkerConfig;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.http.javadsl.model.HttpEntity;
import org.apache.pekko.http.javadsl.model.MediaTypes;
import org.apache.pekko.stream.Materializer;

/**
 * The body of {@code POST /api/v1/workers/{name}/runs}: the payload and the call's options,
 * checked before anything is recorded. Every refusal names what is wrong (400, or 415 for a body
 * that is not declared JSON).
 */
record RunRequest(JsonNode payload, CallOptions options) {

  /**
   * Reads a start-run request body; empty means no options and an empty payload. Declared JSON or
   * refused (415), an empty body too: a page of another origin can send a form or text/plain POST
   * without the browser asking for CORS consent, but not an application/json one.
   */
  static CompletionStage<RunRequest> read(HttpEntity entity, ObjectMapper mapper,
      Materializer materializer, Duration strictTimeout) {
    return object(entity, mapper, materializer, strictTimeout).thenApply(n -> of(n, mapper));
  }

  /**
   * A body that must be a JSON object (empty is an empty object), declared JSON or refused (415);
   * UTF-8, numbers that fit a double.
   */
  static CompletionStage<JsonNode> object(HttpEntity entity, ObjectMapper mapper,
      Materializer materializer, Duration strictTimeout) {
    if (!entity.getContentType().mediaType().equals(MediaTypes.APPLICATION_JSON)) {
      entity.discardBytes(materializer);
      return CompletableFuture.failedFuture(new UnsupportedContentType(entity.getContentType().toString()));
    }
    return entity.toStrict(strictTimeout.toMillis(), materializer).thenApply(strict -> {
      String text = utf8(strict.getData().toArray());
      if (text.isBlank()) {
        return mapper.createObjectNode();
      }
      try {
        JsonNode n = mapper.readTree(text);
        if (!n.isObject()) {
          throw new InvalidArgumentException("the body must be a JSON object like {\"payload\": {...}}");
        }
        rejectInfinite(n, "");
        return n;
      } catch (JsonProcessingException e) {
        throw new InvalidArgumentException("malformed JSON body: " + e.getOriginalMessage());
      }
    });
  }

  /** The body as text; bytes that are not UTF-8 are refused, never replaced. */
  private static String utf8(byte[] bytes) {
    try {
      return StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes)).toString();
    } catch (CharacterCodingException e) {
      throw new InvalidArgumentException("the body is not valid UTF-8");
    }
  }

  /**
   * Refuses a number too large for a double (such as {@code 1e400}): it would be stored and
   * returned as Infinity, not as the number sent.
   */
  private static void rejectInfinite(JsonNode n, String path) {
    if (n.isFloatingPointNumber() && !Double.isFinite(n.doubleValue())) {
      throw new InvalidArgumentException(path.substring(1) + ": the number is out of range");
    }
    if (n.isObject()) {
      n.fields().forEachRemaining(f -> rejectInfinite(f.getValue(), path + "." + f.getKey()));
    } else if (n.isArray()) {
      for (int i = 0; i < n.size(); i++) {
        rejectInfinite(n.get(i), path + "[" + i + "]");
      }
    }
  }

  /** The payload and options of a body that is a JSON object. */
  private static RunRequest of(JsonNode body, ObjectMapper mapper) {
    JsonNode payload = body.has("payload") ? body.get("payload") : mapper.createObjectNode();
    CallOptions options = CallOptions.NONE;
    JsonNode timeout = body.get("timeoutMs");
    if (timeout != null && !timeout.isNull()) {
      if (!timeout.canConvertToLong() || !timeout.isIntegralNumber() || timeout.asLong() <= 0
          || timeout.asLong() > WorkerConfig.MAX_TIMEOUT.toMillis()) {
        throw new InvalidArgumentException("timeoutMs must be a positive integer of at most "
            + WorkerConfig.MAX_TIMEOUT.toMillis() + ", was " + timeout);
      }
      options = options.withTimeout(Duration.ofMillis(timeout.asLong()));
    }
    JsonNode key = body.get("idempotencyKey");
    if (key != null && !key.isNull()) {
      if (!key.isTextual()) {
        throw new InvalidArgumentException("idempotencyKey must be a string, was " + key);
      }
      options = options.withIdempotencyKey(key.asText());
    }
    JsonNode tags = body.get("tags");
    if (tags != null && !tags.isNull()) {
      options = options.withTags(strings(tags, "tags"));
    }
    JsonNode priority = body.get("priority");
    if (priority != null && !priority.isNull()) {
      if (!priority.isIntegralNumber() || !priority.canConvertToInt()) {
        throw new InvalidArgumentException("priority must be an integer from "
            + CallOptions.MIN_PRIORITY + " to " + CallOptions.MAX_PRIORITY + ", was " + priority);
      }
      options = options.withPriority(priority.asInt());
    }
    JsonNode concurrencyKey = body.get("concurrencyKey");
    if (concurrencyKey != null && !concurrencyKey.isNull()) {
      if (!concurrencyKey.isTextual()) {
        throw new InvalidArgumentException("concurrencyKey must be a string, was " + concurrencyKey);
      }
      options = options.withConcurrencyKey(concurrencyKey.asText());
    }
    options = start(body, options);
    JsonNode dependsOn = body.get("dependsOn");
    if (dependsOn != null && !dependsOn.isNull()) {
      options = options.dependsOn(strings(dependsOn, "dependsOn"));
    }
    return new RunRequest(payload, options);
  }

  /** With the start time of {@code "delayMs"} or {@code "runAt"}, when the body has one. */
  private static CallOptions start(JsonNode body, CallOptions options) {
    JsonNode delay = body.get("delayMs");
    JsonNode runAt = body.get("runAt");
    boolean hasDelay = delay != null && !delay.isNull();
    boolean hasRunAt = runAt != null && !runAt.isNull();
    if (hasDelay && hasRunAt) {
      throw new InvalidArgumentException("give delayMs or runAt, not both");
    }
    if (hasDelay) {
      if (!delay.isIntegralNumber() || !delay.canConvertToLong() || delay.asLong() <= 0) {
        throw new InvalidArgumentException("delayMs must be a positive integer, was " + delay);
      }
      return options.delay(Duration.ofMillis(delay.asLong()));
    }
    if (hasRunAt) {
      try {
        return options.runAt(Instant.parse(runAt.asText()));
      } catch (DateTimeParseException e) {
        throw new InvalidArgumentException("runAt must be an ISO-8601 instant like"
            + " 2026-01-31T10:00:00Z, was " + runAt);
      }
    }
    return options;
  }

  private static List<String> strings(JsonNode array, String field) {
    if (!array.isArray()) {
      throw new InvalidArgumentException(field + " must be an array of strings, was " + array);
    }
    List<String> out = new ArrayList<>();
    for (JsonNode x : array) {
      if (!x.isTextual()) {
        throw new InvalidArgumentException(field + " must be an array of strings, had " + x);
      }
      out.add(x.asText());
    }
    return out;
  }
}
