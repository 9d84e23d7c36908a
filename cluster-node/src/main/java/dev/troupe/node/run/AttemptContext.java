package dev.troupe.node.run;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.troupe.api.Cancelled;
import dev.troupe.api.ChildOptions;
import dev.troupe.api.ChildRun;
import dev.troupe.api.Compensation;
import dev.troupe.api.InvalidArgumentException;
import dev.troupe.api.LogLine;
import dev.troupe.api.PermanentFailure;
import dev.troupe.api.RunEvent;
import dev.troupe.api.RunFinishedException;
import dev.troupe.api.RunHandle;
import dev.troupe.api.UnknownWorkerException;
import dev.troupe.api.WorkerContext;
import dev.troupe.node.tracing.AttemptSpan;
import dev.troupe.persistence.RunClock;
import dev.troupe.persistence.RunSpec;
import io.opentelemetry.context.Scope;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.apache.pekko.Done;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/** The {@link WorkerContext} of one attempt: fenced by its epoch, cancelled at most once. */
final class AttemptContext implements WorkerContext, LiveRun.Attempt, DurableSteps.Attempt {
  /** The reason a cancel of the run itself gives (see the entity's RunHost). */
  static final String CANCELLED = "cancelled";
  private final RunServices services;
  private final LiveRun liveRun;
  private final EntityChannel entity;
  private final String worker;
  private final int attempt;
  private final long epoch;
  private final JsonNode payload;
  private final RunSpec spec;
  private final AttemptSpan span;
  private final long timeoutMs;
  /** When the attempt times out: set when the handler starts, an estimate until then. */
  private volatile Instant deadline;
  private final Logger log;
  private final CountDownLatch cancelled = new CountDownLatch(1);
  private final List<Runnable> cancelCallbacks = new ArrayList<>();
  private volatile JsonNode lastCheckpoint;
  private volatile String cancelReason;
  private Thread boundThread;
  private final DurableSteps steps;
  /** The ordinal of the next unnamed child call: its key is the same in every attempt. */
  private final AtomicInteger childOrdinal = new AtomicInteger();
  /** Children that a cancel of the run cancels with it. */
  private final List<ChildRun> cancelledWithRun = new ArrayList<>();

  AttemptContext(RunServices services, LiveRun liveRun, EntityChannel entity,
      String worker, Granted grant, JsonNode payload, RunSpec spec, long timeoutMs,
      AttemptSpan span) {
    this.services = services;
    this.liveRun = liveRun;
    this.entity = entity;
    this.worker = worker;
    this.attempt = grant.attempt();
    this.epoch = grant.epoch();
    this.payload = payload;
    this.spec = spec;
    this.span = span;
    this.lastCheckpoint = grant.checkpoint();
    this.timeoutMs = timeoutMs;
    this.deadline = RunClock.now().plusMillis(timeoutMs);
    this.log = LoggerFactory.getLogger("troupe.worker." + worker);
    this.steps = new DurableSteps(services, entity, liveRun.runId(), grant, span);
  }

  /** The attempt's durable steps and the compensations it registered. */
  DurableSteps steps() {
    return steps;
  }

  @Override
  public long epoch() {
    return epoch;
  }

  /** True while this attempt is the run's current one and not cancelled. */
  private boolean isLive() {
    return cancelReason == null && liveRun.currentEpoch() == epoch;
  }

  /** Cancels the attempt: flags it, wakes sleepers, interrupts a blocking handler, runs callbacks. */
  @Override
  public void cancel(String reason) {
    List<Runnable> callbacks;
    List<ChildRun> children = List.of();
    synchronized (this) {
      if (cancelReason != null) {
        return;
      }
      cancelReason = reason;
      cancelled.countDown();
      if (boundThread != null) {
        boundThread.interrupt();
      }
      callbacks = new ArrayList<>(cancelCallbacks);
      cancelCallbacks.clear();
      if (CANCELLED.equals(reason)) { // the run is cancelled: not a timeout, drain or move
        children = List.copyOf(cancelledWithRun);
      }
    }
    callbacks.forEach(services.handlerExecutor::execute);
    // a finished child refuses: nothing to do for it
    children.forEach(c -> c.cancel().exceptionally(refused -> null));
  }

  /**
   * The handler starts on {@code thread} (null for an async handler): its deadline starts now,
   * and a blocking handler's thread is what a cancel interrupts.
   *
   * @return false, and the handler must not run, when the attempt was cancelled before
   */
  synchronized boolean begin(Thread thread) {
    if (cancelReason != null) {
      return false;
    }
    deadline = RunClock.now().plusMillis(timeoutMs);
    boundThread = thread;
    return true;
  }

  /** Unbinds the handler's thread; after this no cancel interrupts it. */
  synchronized void unbindThread() {
    boundThread = null;
  }

  // identity and input

  @Override
  public String workerName() {
    return worker;
  }

  @Override
  public String runId() {
    return liveRun.runId();
  }

  @Override
  public int attempt() {
    return attempt;
  }

  @Override
  public JsonNode payload() {
    return payload;
  }

  @Override
  public ObjectMapper json() {
    return services.mapper;
  }

  @Override
  public Config config() {
    String path = "troupe.workers." + worker;
    return services.config.hasPath(path) ? services.config.getConfig(path) : ConfigFactory.empty();
  }

  @Override
  public String environment() {
    return services.settings.env();
  }

  // logging

  @Override
  public void log(String level, String message, Throwable thrown) {
    String lvl = level == null ? "info" : level.toLowerCase();
    if (lvl.equals("debug") && !isDevelopment()) {
      return;
    }
    MDC.put("worker", worker);
    MDC.put("runId", liveRun.runId());
    try {
      switch (lvl) {
        case "debug" -> log.debug(message, thrown);
        case "warn" -> log.warn(message, thrown);
        case "error" -> log.error(message, thrown);
        default -> log.info(message, thrown);
      }
    } finally {
      MDC.remove("worker");
      MDC.remove("runId");
    }
    ObjectNode data = services.mapper.createObjectNode().put("level", lvl)
        .put("message", new LogLine(message, thrown).withThrown());
    publish(RunEvent.LOG, data);
  }

  // per-run state

  @Override
  public void setState(String key, Object value) {
    liveRun.state.put(key, value);
  }

  @Override
  public <T> Optional<T> getState(String key, Class<T> type) {
    Object v = liveRun.state.get(key);
    return type.isInstance(v) ? Optional.of(type.cast(v)) : Optional.empty();
  }

  @Override
  public void clearState() {
    liveRun.state.clear();
  }

  // durable progress

  @Override
  public CompletionStage<Done> checkpointAsync(Object value) {
    JsonNode data;
    try {
      data = value instanceof JsonNode n ? n : services.mapper.valueToTree(value);
      OutputRefused.checkpoint(services, data);
    } catch (IllegalArgumentException | InvalidArgumentException e) {
      return CompletableFuture.failedFuture(e);
    }
    if (!isLive()) {
      return CompletableFuture.failedFuture(new RunFinishedException(
          "checkpoint refused: attempt " + attempt + " of run " + runId() + " is superseded"));
    }
    return entity.checkpoint(runId(), epoch, data)
        // completed on the handler dispatcher: the reply arrives on the entity's thread
        .handleAsync((done, failure) -> {
          if (failure != null) {
            throw failure instanceof CompletionException ce ? ce : new CompletionException(failure);
          }
          lastCheckpoint = data;
          return done;
        }, services.handlerExecutor);
  }

  @Override
  public Optional<JsonNode> lastCheckpoint() {
    return Optional.ofNullable(lastCheckpoint);
  }

  // durable steps

  @Override
  public <T> T step(String name, Class<T> type, Supplier<T> action,
      Compensation<T> compensation) {
    return steps.step(this, name, type, action, compensation);
  }

  /** Publishes a step's {@code STARTED} event: not recorded, as a handler's emitted events. */
  @Override
  public void publishStep(JsonNode data) {
    publish(RunEvent.STEP, data);
  }

  // messaging

  @Override
  public void emit(JsonNode message) {
    publish(RunEvent.MESSAGE, message);
  }

  /** Publishes on the run's stream unless this attempt is over, within the run data's limits. */
  private void publish(String type, JsonNode data) {
    OutputRefused.emit(services, type, data);
    liveRun.publish(cancelReason == null ? epoch : -1, type, data);
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
    services.handlerExecutor.execute(callback);
  }

  private synchronized void removeCancelCallback(Runnable callback) {
    cancelCallbacks.remove(callback);
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
    // completed on the handler dispatcher, so the handler's continuation never runs on an actor's
    Runnable onCancel = () -> done.complete(false);
    services.scheduler.scheduleOnce(duration, () -> {
      done.complete(true);
      removeCancelCallback(onCancel);
    }, services.handlerExecutor);
    onCancel(onCancel);
    return done;
  }

  @Override
  public Instant deadline() {
    return deadline;
  }

  // composition

  @Override
  public String parentRunId() {
    return spec.parentRunId();
  }

  @Override
  public CompletionStage<ChildRun> callAsync(String childWorker, JsonNode childPayload,
      ChildOptions options) {
    ChildOptions opts = options == null ? ChildOptions.DEFAULT : options;
    String name = opts.name() != null ? opts.name() : String.valueOf(childOrdinal.getAndIncrement());
    int max = services.composition.maxChildDepth();
    if (spec.depth() >= max) {
      return CompletableFuture.failedFuture(new PermanentFailure("run " + runId() + " is "
          + spec.depth() + " child calls deep and may not call " + childWorker
          + " (troupe.call.max-child-depth = " + max + "): does it call its own ancestors?"));
    }
    if (cancelReason != null) {
      return CompletableFuture.failedFuture(new Cancelled(cancelReason));
    }
    CompletionStage<RunHandle> started;
    try (Scope current = span.makeCurrent()) { // the child's call span is the attempt's child
      started = services.node.call(childWorker, childPayload,
          opts.call().withIdempotencyKey("child:" + runId() + ":" + name), runId(), spec.depth(),
          !opts.cancelWithParent());
    } catch (RuntimeException e) {
      started = CompletableFuture.failedFuture(e);
    }
    // completed on the handler dispatcher: the reply arrives on an actor's thread
    return started.handleAsync((run, failure) -> {
      if (failure != null) {
        throw new CompletionException(childFailure(childWorker, failure));
      }
      ChildRun child = new ChildHandle(run);
      if (opts.cancelWithParent()) {
        boolean runCancelled;
        synchronized (this) {
          cancelledWithRun.add(child);
          runCancelled = CANCELLED.equals(cancelReason);
        }
        if (runCancelled) { // started while the run was being cancelled
          child.cancel().exceptionally(refused -> null);
        }
      }
      return child;
    }, services.handlerExecutor);
  }

  /** A child call's failure: a mistake of the handler's (no such worker, bad input) is permanent. */
  private static Throwable childFailure(String childWorker, Throwable failure) {
    Throwable t = failure instanceof CompletionException && failure.getCause() != null
        ? failure.getCause() : failure;
    return t instanceof UnknownWorkerException || t instanceof InvalidArgumentException
        ? new PermanentFailure("child call of " + childWorker + ": " + t.getMessage(), t) : t;
  }
}
