package dev.troupe.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import com.typesafe.config.Config;
import dev.troupe.api.BlockingWorker;
import dev.troupe.api.Cancelled;
import dev.troupe.api.ChildCall;
import dev.troupe.api.ChildOptions;
import dev.troupe.api.ChildRun;
import dev.troupe.api.Compensation;
import dev.troupe.api.JobHandler;
import dev.troupe.api.Jobs;
import dev.troupe.api.PayloadBinder;
import dev.troupe.api.RunFinishedException;
import dev.troupe.api.Worker;
import dev.troupe.api.WorkerConfig;
import dev.troupe.api.WorkerContext;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.apache.pekko.Done;

/**
 * A {@link WorkerContext} without a node, for unit tests of workers: it records what the handler
 * emits, logs and checkpoints, keeps its state, and can be cancelled or time out. Build one with
 * {@link #builder(String)}, then run a typed job, a {@link BlockingWorker} or a {@link Worker}
 * with the {@code run…} methods, which return the attempt's {@link TestOutcome}.
 *
 * <pre>{@code
 * TestWorkerContext ctx = TestWorkerContext.builder("send-email")
 *     .payload(new Email("a@b.c")).build();
 * TestOutcome outcome = ctx.runJob(Email.class, SendEmail::handle);
 * assertThat(outcome.resultAs(Sent.class)).isEqualTo(new Sent("sent", "a@b.c"));
 * assertThat(ctx.emits()).hasSize(1);
 * }</pre>
 *
 * <p>It behaves as one attempt on a node does: the same payload binding (a payload that does not
 * fit fails permanently, naming the field), result serialization, progress and log formatting
 * (they are the API's own code); once cancelled or timed out, {@link #sleep} throws {@link
 * Cancelled}, later emits and logs are dropped and checkpoints fail with {@link
 * RunFinishedException}. One context is one attempt: {@link #nextAttempt()} makes the next one,
 * which sees this one's last checkpoint and state, as a retry on the same node would. Thread-safe.
 */
public final class TestWorkerContext implements WorkerContext {
  /** Troupe's JSON configuration: Java time types as ISO-8601 text. */
  static final ObjectMapper MAPPER = new ObjectMapper().registerModule(new JavaTimeModule())
      .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);

  /** What every attempt of the run shares. */
  record Spec(String workerName, String runId, JsonNode payload, Config config,
      String environment, WorkerConfig workerConfig, Duration timeout, FakeChildren children) {}

  private final Spec spec;
  private final int attempt;
  private final Instant deadline;
  private final Map<String, Object> state;
  private final List<JsonNode> emits = new CopyOnWriteArrayList<>();
  private final List<LoggedLine> logs = new CopyOnWriteArrayList<>();
  private final List<JsonNode> checkpoints = new CopyOnWriteArrayList<>();
  private final CountDownLatch cancelled = new CountDownLatch(1);
  private final List<Runnable> cancelCallbacks = new ArrayList<>();
  private volatile JsonNode lastCheckpoint;
  private volatile String cancelReason;
  private final AtomicInteger childOrdinal = new AtomicInteger();
  private final List<ChildCall> childCalls = new CopyOnWriteArrayList<>();
  private final TestSteps steps;
  private final TestSteps.Attempt attemptSteps;

  TestWorkerContext(Spec spec, int attempt, JsonNode checkpoint,
      Map<String, Object> state, TestSteps steps) {
    this.spec = spec;
    this.steps = steps;
    this.attemptSteps = steps.new Attempt();
    this.attempt = attempt;
    this.lastCheckpoint = checkpoint;
    this.state = state;
    this.deadline = Instant.now().plus(spec.timeout());
  }

  /** A context for an attempt of {@code workerName}, with an empty payload. */
  public static TestContextBuilder builder(String workerName) {
    return new TestContextBuilder(workerName);
  }

  /**
   * The next attempt of the same run (attempt + 1): it starts from this attempt's last checkpoint
   * and shares its state, as a retry on the same node does; nothing it records is carried over.
   */
  public TestWorkerContext nextAttempt() {
    return new TestWorkerContext(spec, attempt + 1, lastCheckpoint, state, steps);
  }

  // running a handler: on a thread of its own, bounded by the timeout

  /** Runs a typed job's handler as a node would, and returns its outcome. */
  public <P> TestOutcome runJob(Class<P> payloadType, JobHandler<P> handler) {
    return runBlocking(Jobs.blocking(payloadType, handler));
  }

  /** Runs a blocking worker and returns its outcome. */
  public TestOutcome runBlocking(BlockingWorker worker) {
    return Attempts.run(this, () -> CompletableFuture.completedFuture(worker.run(this)));
  }

  /** Runs an asynchronous worker and returns its outcome once its stage completes. */
  public TestOutcome runWorker(Worker worker) {
    return Attempts.run(this, () -> worker.run(this));
  }

  /** Starts a typed job on its own thread, so that the test can {@link #cancel()} it meanwhile. */
  public <P> CompletableFuture<TestOutcome> startJob(Class<P> payloadType, JobHandler<P> handler) {
    return CompletableFuture.supplyAsync(() -> runJob(payloadType, handler), Attempts.THREADS);
  }

  /** The handler's configuration ({@link TestContextBuilder#config(WorkerConfig)}). */
  WorkerConfig workerConfig() {
    return spec.workerConfig();
  }

  Duration timeout() {
    return spec.timeout();
  }

  // what the test controls

  /** Cancels the attempt, as a cancel request does: sleepers wake with {@link Cancelled}. */
  public void cancel() {
    cancel("cancelled by request");
  }

  /** Cancels the attempt for {@code reason} ("timeout" when its timeout passes). */
  public void cancel(String reason) {
    List<Runnable> callbacks;
    synchronized (this) {
      if (cancelReason != null) {
        return;
      }
      cancelReason = reason;
      cancelled.countDown();
      callbacks = new ArrayList<>(cancelCallbacks);
      cancelCallbacks.clear();
    }
    callbacks.forEach(Runnable::run);
  }

  /** Why the attempt was cancelled, when it was. */
  public Optional<String> cancelReason() {
    return Optional.ofNullable(cancelReason);
  }

  // what the handler did

  /** Every emitted message, progress included, in order. */
  public List<JsonNode> emits() {
    return List.copyOf(emits);
  }

  /** The emitted messages bound to {@code type}. */
  public <T> List<T> emitsAs(Class<T> type) {
    return emits.stream().map(e -> PayloadBinder.of(MAPPER).bind(e, type, "message")).toList();
  }

  /** The progress messages ({@code {"progress": p, "message": m}}) among the emits. */
  public List<Progress> progress() {
    return emits.stream().filter(e -> e.has("progress") && e.get("progress").isNumber())
        .map(e -> new Progress(e.get("progress").numberValue(), e.path("message").asText(null)))
        .toList();
  }

  /** Every line logged, debug included when the environment is development. */
  public List<LoggedLine> logs() {
    return List.copyOf(logs);
  }

  /** Every checkpoint this attempt wrote, in order. */
  public List<JsonNode> checkpoints() {
    return List.copyOf(checkpoints);
  }

  /**
   * The results of the run's durable steps ({@link #step}) recorded so far, over every attempt,
   * by step name in the order they first succeeded (a null value: the step returned null).
   */
  public Map<String, JsonNode> steps() {
    return steps.results();
  }

  /**
   * The names of the steps whose action actually ran, over every attempt, in order: a step
   * replayed by a later attempt is not in it again.
   */
  public List<String> stepsRun() {
    return steps.runs();
  }

  /**
   * Runs the compensations this attempt registered, last step first, as a node does once the
   * run fails for good; returns their names in the order they ran. An exception of one stops
   * the others here (a node records it and goes on).
   */
  public List<String> compensate() {
    return attemptSteps.compensate();
  }

  /** The run's state as the handler left it. */
  public Map<String, Object> state() {
    return Map.copyOf(state);
  }

  // WorkerContext: identity and input

  @Override
  public String workerName() {
    return spec.workerName();
  }

  @Override
  public String runId() {
    return spec.runId();
  }

  @Override
  public int attempt() {
    return attempt;
  }

  @Override
  public JsonNode payload() {
    return spec.payload();
  }

  @Override
  public ObjectMapper json() {
    return MAPPER;
  }

  @Override
  public Config config() {
    return spec.config();
  }

  @Override
  public String environment() {
    return spec.environment();
  }

  // logging

  @Override
  public void log(String level, String message, Throwable thrown) {
    String lvl = level == null ? "info" : level.toLowerCase();
    if (cancelReason == null && !(lvl.equals("debug") && !isDevelopment())) {
      logs.add(new LoggedLine(lvl, message, thrown));
    }
  }

  // durable steps

  /**
   * Runs {@code action} once per run: a later call of the same name, in this attempt or a later
   * one ({@link #nextAttempt()}), gets the recorded result back, bound to {@code type}, as a
   * node replays a journaled step; another type fails permanently.
   */
  @Override
  public <T> T step(String name, Class<T> type, Supplier<T> action,
      Compensation<T> compensation) {
    return attemptSteps.step(name, type, action, compensation);
  }

  // state

  @Override
  public void setState(String key, Object value) {
    state.put(key, value);
  }

  @Override
  public <T> Optional<T> getState(String key, Class<T> type) {
    Object v = state.get(key);
    return type.isInstance(v) ? Optional.of(type.cast(v)) : Optional.empty();
  }

  @Override
  public void clearState() {
    state.clear();
  }

  // checkpoints

  @Override
  public CompletionStage<Done> checkpointAsync(Object data) {
    if (cancelReason != null) {
      return CompletableFuture.failedFuture(new RunFinishedException("checkpoint refused: attempt "
          + attempt + " of run " + runId() + " is over (" + cancelReason + ")"));
    }
    JsonNode json = data instanceof JsonNode n ? n : MAPPER.valueToTree(data);
    checkpoints.add(json);
    lastCheckpoint = json;
    return CompletableFuture.completedFuture(Done.getInstance());
  }

  @Override
  public Optional<JsonNode> lastCheckpoint() {
    return Optional.ofNullable(lastCheckpoint);
  }

  // messaging

  @Override
  public void emit(JsonNode message) {
    if (cancelReason == null) {
      emits.add(message);
    }
  }

  // cancellation and time

  @Override
  public boolean isCancelled() {
    return cancelReason != null;
  }

  @Override
  public void onCancel(Runnable callback) {
    synchronized (this) {
      if (cancelReason == null) {
        cancelCallbacks.add(callback);
        return;
      }
    }
    callback.run();
  }

  @Override
  public void sleep(Duration duration) {
    try {
      if (!cancelled.await(duration.toNanos(), TimeUnit.NANOSECONDS)) {
        return;
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    throw new Cancelled(cancelReason == null ? "interrupted" : cancelReason);
  }

  @Override
  public CompletionStage<Boolean> delay(Duration duration) {
    CompletableFuture<Boolean> done = new CompletableFuture<>();
    CompletableFuture.delayedExecutor(duration.toNanos(), TimeUnit.NANOSECONDS)
        .execute(() -> done.complete(true));
    onCancel(() -> done.complete(false));
    return done;
  }

  /** The child runs this attempt called, in order, existing ones included. */
  public List<ChildCall> childCalls() {
    return List.copyOf(childCalls);
  }

  /**
   * Answers at once with the handler the test registered for {@code worker} ({@link
   * TestContextBuilder#child}); a call of an earlier attempt with the same key gets its child back.
   */
  @Override
  public CompletionStage<ChildRun> callAsync(String worker, JsonNode payload,
      ChildOptions options) {
    ChildOptions opts = options == null ? ChildOptions.DEFAULT : options;
    String name = opts.name() != null ? opts.name() : String.valueOf(childOrdinal.getAndIncrement());
    childCalls.add(new ChildCall(worker, payload));
    return spec.children().call(spec.runId(), "child:" + spec.runId() + ":" + name, worker,
        payload);
  }

  @Override
  public Instant deadline() {
    return deadline;
  }
}
