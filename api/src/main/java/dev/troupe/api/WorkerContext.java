package dev.troupe.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.typesafe.config.Config;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.Done;

/**
 * What a running handler can see and do. One context per attempt; all methods are thread-safe
 * and none blocks except {@link #sleep(Duration)}. Once the attempt is superseded (it timed out,
 * was cancelled, or the run was re-dispatched), its emits and checkpoints are ignored.
 */
public interface WorkerContext {
  // identity

  String workerName();

  String runId();

  /** 1 for the first attempt, 2 for the first retry, ... */
  int attempt();

  // input

  /** The call's payload; an empty object when the caller sent none. */
  JsonNode payload();

  /**
   * The payload bound to {@code type} with Jackson.
   *
   * @throws PermanentFailure naming the field when the payload does not fit the type
   */
  <T> T payloadAs(Class<T> type) throws PermanentFailure;

  /** A Jackson mapper for building results and messages. */
  ObjectMapper json();

  /** A fresh empty JSON object, for results and messages. */
  default ObjectNode newObject() {
    return json().createObjectNode();
  }

  /** This node's configuration subtree {@code troupe.workers.<name>} (empty when absent). */
  Config config();

  // environment

  /** {@code TROUPE_ENV} (config {@code troupe.env}): "development" by default. */
  String environment();

  default boolean isDevelopment() {
    return "development".equals(environment());
  }

  default boolean isProduction() {
    return "production".equals(environment());
  }

  // logging: SLF4J logger "troupe.worker.<name>" with MDC worker and runId, and a "log" event on
  // the run's stream; debug only in development

  void debug(String message);

  void info(String message);

  void warn(String message);

  void error(String message);

  /** @param level one of debug, info, warn, error */
  void log(String level, String message);

  // per-run state: isolated per run, kept across the attempts that run on the same node

  void setState(String key, Object value);

  <T> Optional<T> getState(String key, Class<T> type);

  void clearState();

  // durable progress

  /**
   * Persists {@code data} as this run's checkpoint. The stage completes once it is written; a
   * later attempt (a retry, or a re-dispatch after a node died) sees it in {@link
   * #lastCheckpoint()}. Fails with {@link RunFinishedException} once the attempt is superseded.
   */
  CompletionStage<Done> checkpoint(JsonNode data);

  /** The last checkpoint written by an earlier attempt or by this one. */
  Optional<JsonNode> lastCheckpoint();

  // messaging

  /**
   * Sends a {@code message} event on the run's stream; never blocks. On a durable stream (the
   * definition's {@link WorkerConfig#durableStream()}) the event is written to the journal, in a
   * batch with others, before any subscriber sees it; the logging methods above send their
   * {@code log} events the same way.
   *
   * @throws RunRejectedException (OVERLOADED) when the run already has {@code
   *     troupe.worker.stream.max-unwritten-emits} events waiting for their write (also from the
   *     logging methods): the journal is behind, and the stream does not queue without bound
   */
  void emit(JsonNode message);

  /** Emits {@code {"progress": percent, "message": message}}. */
  void progress(double percent, String message);

  // cancellation and time

  /** True once the run is cancelled, timed out, or the node is shutting it down. */
  boolean isCancelled();

  /** Runs {@code callback} once when the attempt is cancelled (at once if it already is). */
  void onCancel(Runnable callback);

  /**
   * Blocks for {@code duration} or until the attempt is cancelled, whichever comes first.
   *
   * @return true when the full duration passed, false when cancellation cut it short
   */
  boolean sleep(Duration duration);

  /** Completes with true after {@code duration}, or with false as soon as the attempt is cancelled. */
  CompletionStage<Boolean> delay(Duration duration);

  /** When this attempt times out. */
  Instant deadline();
}
