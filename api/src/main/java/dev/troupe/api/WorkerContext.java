package dev.troupe.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.typesafe.config.Config;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.function.Supplier;
import org.apache.pekko.Done;

/**
 * What a running handler can see and do. One context per attempt; all methods are thread-safe.
 * Only {@link #sleep(Duration)} and {@link #checkpoint(Object)} block. Once the attempt is
 * superseded (it timed out, was cancelled, or the run was re-dispatched), its emits and
 * checkpoints are ignored.
 *
 * <p>The default methods are written against the abstract ones, so a node and the test kit
 * ({@code troupe-testkit}'s {@code TestWorkerContext}) behave alike: binding, serialization,
 * progress and log formatting are the same code.
 */
public interface WorkerContext {
  // identity

  String workerName();

  String runId();

  /**
   * 1 for the first attempt, 2 for the first retry, ... An attempt stopped because its run's
   * entity moved to another node runs again there with the same number: a move is no failure.
   */
  int attempt();

  // input

  /** The call's payload; an empty object when the caller sent none. */
  JsonNode payload();

  /**
   * The payload bound to {@code type} with Jackson ({@link PayloadBinder}): unknown fields are
   * ignored, fields marked {@link Required} must be present.
   *
   * @throws PermanentFailure when the payload does not fit the type, naming the field by its JSON
   *     path and what was expected ({@code payload.items[2].qty: expected a number, got "two"});
   *     thrown out of a handler it fails the run at once, without retries
   */
  default <T> T payloadAs(Class<T> type) {
    return PayloadBinder.of(json()).bind(payload(), type, "payload");
  }

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

  default void debug(String message) {
    log("debug", message);
  }

  default void info(String message) {
    log("info", message);
  }

  default void warn(String message) {
    log("warn", message);
  }

  default void error(String message) {
    log("error", message);
  }

  /** @param level one of debug, info, warn, error */
  default void log(String level, String message) {
    log(level, message, (Throwable) null);
  }

  /**
   * Logs {@code message} with {@code thrown}'s stack trace (none when null). The run's stream
   * gets the message followed by the throwable's type and message (never a stack trace).
   */
  void log(String level, String message, Throwable thrown);

  /**
   * Logs an SLF4J-style pattern: each {@code {}} takes the next argument, and a trailing
   * {@link Throwable} is logged with its stack trace ({@link LogLine}).
   */
  default void log(String level, String pattern, Object... args) {
    LogLine line = LogLine.format(pattern, args);
    log(level, line.message(), line.thrown());
  }

  /** {@code debug("x {}", arg, throwable)}: see {@link #log(String, String, Object...)}. */
  default void debug(String pattern, Object... args) {
    log("debug", pattern, args);
  }

  /** {@code info("x {}", arg, throwable)}: see {@link #log(String, String, Object...)}. */
  default void info(String pattern, Object... args) {
    log("info", pattern, args);
  }

  /** {@code warn("x {}", arg, throwable)}: see {@link #log(String, String, Object...)}. */
  default void warn(String pattern, Object... args) {
    log("warn", pattern, args);
  }

  /** {@code error("x {}", arg, throwable)}: see {@link #log(String, String, Object...)}. */
  default void error(String pattern, Object... args) {
    log("error", pattern, args);
  }

  // per-run state: isolated per run, kept across the attempts that run on the same node

  void setState(String key, Object value);

  <T> Optional<T> getState(String key, Class<T> type);

  void clearState();

  // durable progress

  /**
   * Persists {@code data} (written with {@link #json()}) as this run's checkpoint, without
   * blocking: the stage completes once it is written, and a later attempt (a retry, or a
   * re-dispatch after a node died) sees it in {@link #lastCheckpoint()}. For asynchronous
   * handlers; a blocking one calls {@link #checkpoint(Object)}. Fails with {@link
   * RunFinishedException} once the attempt is superseded, and with {@link
   * InvalidArgumentException} naming the limit, before anything is written, when {@code data} is
   * past the node's run data limits (its bytes as JSON, {@code troupe.worker.max-checkpoint-bytes};
   * its nesting and lengths): the journal keeps every checkpoint and reads it back at recovery.
   * Left uncaught, that failure ends the run for good (it is not retried: the same data would be
   * refused again).
   */
  CompletionStage<Done> checkpointAsync(Object data);

  /**
   * Persists {@code data} as this run's checkpoint and returns once it is durable: when this
   * returns, a later attempt sees it in {@link #lastCheckpoint(Class)}. For blocking handlers.
   *
   * @throws Cancelled when the attempt is cancelled while it waits
   * @throws RunFinishedException when the attempt is superseded
   * @throws InvalidArgumentException when {@code data} is past the run data limits, as {@link
   *     #checkpointAsync} says: nothing is written
   */
  default void checkpoint(Object data) {
    try {
      checkpointAsync(data).toCompletableFuture().get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new Cancelled("cancelled while writing a checkpoint");
    } catch (ExecutionException e) {
      Throwable cause = e.getCause() instanceof CompletionException c && c.getCause() != null
          ? c.getCause() : e.getCause();
      throw cause instanceof RuntimeException re ? re : new CompletionException(cause);
    }
  }

  /** The last checkpoint written by an earlier attempt or by this one. */
  Optional<JsonNode> lastCheckpoint();

  /**
   * The last checkpoint bound to {@code type}, as {@link #payloadAs} binds the payload.
   *
   * @throws PermanentFailure when it does not fit {@code type}, naming the field
   */
  default <T> Optional<T> lastCheckpoint(Class<T> type) {
    return lastCheckpoint().map(c -> PayloadBinder.of(json()).bind(c, type, "checkpoint"));
  }

  // durable steps

  /**
   * Runs {@code action} as the durable step {@code name} of this run and returns its result: at
   * most once with success per run. The result (written with {@link #json()}) is journaled
   * before this returns; a later attempt of the run (a retry, or a re-dispatch after its node
   * died) that reaches the same step gets the recorded result back, bound to {@code type}, without
   * running {@code action} again. A step that throws is recorded {@code FAILED} and the exception
   * goes on as the handler's (a later attempt runs the step again). Each step shows on the run's
   * stream as {@code step} events and in the run's {@code steps}.
   *
   * <p>With a {@code compensation}: when the run fails for good (a permanent failure, its
   * attempts exhausted or its timeout) or is cancelled, the compensations of its succeeded steps run in reverse
   * order, after the handler, each retried per the retry policy; one that keeps failing is
   * recorded {@code FAILED} and the others still run. Only the compensations that the failing
   * attempt registered can run: a handler must reach its steps the same way on every attempt.
   * A step's name is unique within its run; the handler waits for the write, so steps are for
   * blocking handlers (an asynchronous one calls it off the node's threads).
   *
   * @param type the class of the result ({@code Void.class} for none: the step returns null)
   * @param compensation what undoes the step, or null for none
   * @throws PermanentFailure when the name was recorded with another type, or the result is too
   *     large ({@code troupe.worker.max-step-result-bytes}) or too deep for the run's data limits
   *     (the step is recorded FAILED without its result; uncaught, the run fails)
   * @throws RunFinishedException when the attempt is superseded
   * @throws Cancelled when the attempt is cancelled while the result is being written
   */
  <T> T step(String name, Class<T> type, Supplier<T> action, Compensation<T> compensation);

  /** A durable step without a compensation: {@link #step(String, Class, Supplier, Compensation)}. */
  default <T> T step(String name, Class<T> type, Supplier<T> action) {
    return step(name, type, action, null);
  }

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
   * @throws InvalidArgumentException naming the limit when {@code message} is past the run data
   *     limits (its bytes as JSON, {@code troupe.worker.stream.max-emit-bytes}; its nesting and
   *     lengths; also from the logging methods): nothing is written or sent, and left uncaught it
   *     ends the run for good
   */
  void emit(JsonNode message);

  /** Emits {@code message} written as JSON with {@link #json()} (a record, a map, ...). */
  default void emit(Object message) {
    emit(message instanceof JsonNode n ? n : json().valueToTree(message));
  }

  /**
   * Emits {@code {"progress": percent, "message": message}}. A whole percent is written as an
   * integer ({@code 10}, not {@code 10.0}); a fraction stays one ({@code 12.5}).
   */
  default void progress(double percent, String message) {
    ObjectNode event = newObject();
    if (percent == Math.rint(percent) && Math.abs(percent) <= Integer.MAX_VALUE) {
      event.put("progress", (int) percent);
    } else {
      event.put("progress", percent);
    }
    emit(event.put("message", message));
  }

  /**
   * Emits {@code {"progress": percent, "message": message}} with the integer percent of {@code
   * done} out of {@code total}, rounded down (100 only when all is done) and kept within 0..100;
   * 0 when {@code total} is not positive.
   */
  default void progress(long done, long total, String message) {
    long percent = total <= 0 ? 0 : Math.max(0, Math.min(100, (long) (done * 100.0 / total)));
    progress((double) percent, message);
  }

  // cancellation and time

  /** True once the run is cancelled, timed out, or the node is shutting it down. */
  boolean isCancelled();

  /** Runs {@code callback} once when the attempt is cancelled (at once if it already is). */
  void onCancel(Runnable callback);

  /**
   * Blocks for {@code duration}, or until the attempt is cancelled: then it throws {@link
   * Cancelled}, which ends the handler (let it propagate; the run's outcome is already
   * recorded). Nothing to check after it returns.
   *
   * @throws Cancelled when the attempt is cancelled (or times out) before or while it sleeps
   */
  void sleep(Duration duration);

  /** Completes with true after {@code duration}, or with false as soon as the attempt is cancelled. */
  CompletionStage<Boolean> delay(Duration duration);

  /** When this attempt times out. */
  Instant deadline();

  // composition

  /** The run whose handler started this one as a child run, or null. */
  default String parentRunId() {
    return null;
  }

  /**
   * Starts a child run of {@code worker} anywhere in the cluster, without blocking; the stage
   * completes once the child is recorded. The child's key is deterministic ({@link
   * ChildOptions}): a later attempt of this run that makes the same calls in the same order gets
   * the same children back, finished or not, instead of starting new ones (while their
   * definition keeps them: see {@link CallOptions#idempotencyKey()}).
   *
   * <p>The stage fails with {@link PermanentFailure} when the worker is not registered, the
   * payload or options are invalid, or this run is already {@code troupe.call.max-child-depth}
   * calls deep; a handler that lets it propagate fails its run for good, naming why.
   */
  default CompletionStage<ChildRun> callAsync(String worker, JsonNode payload,
      ChildOptions options) {
    throw new UnsupportedOperationException("this context cannot start child runs");
  }

  /**
   * Starts a child run and returns its handle once it is recorded (blocking): {@link
   * #callAsync} for blocking handlers, {@code payload} written with {@link #json()}.
   *
   * @throws PermanentFailure as {@link #callAsync} fails
   * @throws Cancelled when the attempt is cancelled while it waits
   */
  default ChildRun call(String worker, Object payload, ChildOptions options) {
    JsonNode json = payload instanceof JsonNode n ? n : json().valueToTree(payload);
    return Stages.await(callAsync(worker, json, options), "a child run of " + worker);
  }

  default ChildRun call(String worker, Object payload) {
    return call(worker, payload, ChildOptions.DEFAULT);
  }

  default ChildRun call(String worker, Object payload, CallOptions options) {
    return call(worker, payload, ChildOptions.of(options));
  }

  /**
   * Fan-out and fan-in: a child run of {@code worker} per payload, at most {@code parallelism}
   * of them unfinished at a time, started in the payloads' order; completes with the finished
   * children in that order, whatever their status. Fails as {@link #callAsync} does.
   */
  default CompletionStage<List<RunResult>> callAll(String worker,
      List<?> payloads, int parallelism) {
    return callAll(payloads.stream().map(p -> new ChildCall(worker, p)).toList(), parallelism);
  }

  /**
   * Waits on a blocking handler's thread for {@code stage}, such as the fan-in of {@link
   * #callAll}: its value, or its failure rethrown as it is when unchecked. A cancel of the
   * attempt interrupts the thread, which ends the wait, so a handler never outlives its run here.
   *
   * @throws Cancelled when the attempt is cancelled (or times out) while it waits
   */
  default <T> T await(CompletionStage<T> stage) {
    return Stages.await(stage, "a stage of run " + runId());
  }

  /** As {@link #callAll(String, List, int)}, each child of its own worker. */
  default CompletionStage<List<RunResult>> callAll(List<ChildCall> calls, int parallelism) {
    return FanIn.run(json(), (worker, payload) -> callAsync(worker, payload, ChildOptions.DEFAULT),
        calls, parallelism);
  }
}
