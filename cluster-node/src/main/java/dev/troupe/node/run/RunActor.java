package dev.troupe.node.run;

import com.fasterxml.jackson.databind.JsonNode;
import dev.troupe.api.ErrorCode;
import dev.troupe.api.InvalidArgumentException;
import dev.troupe.api.PermanentFailure;
import dev.troupe.api.RetryPolicy;
import dev.troupe.api.RunError;
import dev.troupe.api.TransientFailure;
import dev.troupe.node.registry.Registration;
import dev.troupe.node.tracing.AttemptSpan;
import dev.troupe.persistence.RunSpec;
import io.opentelemetry.context.Scope;
import java.time.Duration;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;

/**
 * Executes the attempts of one run, as a child of its worker entity. The handler runs off the
 * actor's thread (async handlers on the handler dispatcher, blocking ones on the bounded blocking
 * dispatcher); the actor enforces the attempt's deadline and reports one outcome per attempt to
 * the entity. A transient failure with attempts left makes it throw {@link RetryAttempt}: its
 * supervisor ({@code restartWithBackoff} from the definition's RetryPolicy) restarts it after
 * the backoff, and the new incarnation asks the entity for the next attempt.
 */
public final class RunActor {
  private static final RunError CANCELLED =
      new RunError(ErrorCode.CANCELLED, "cancelled by request");

  public interface Command {}

  /** The entity's answer to a request for the next attempt. */
  private record GrantArrived(Granted grant) implements Command {}

  private record HandlerDone(long epoch, JsonNode result, Throwable failure) implements Command {}

  private record DeadlineReached(long epoch) implements Command {}

  /**
   * The run was cancelled while it has steps to compensate: attempt {@code epoch} stops, runs its
   * compensations and reports CANCELLED.
   */
  public record CancelAndCompensate(long epoch) implements Command {}

  /** The compensations of attempt {@code epoch} ran: its outcome may be reported. */
  private record Compensated(long epoch, Outcome outcome, RunError error) implements Command {}

  /** The handler of attempt {@code epoch} got its thread: its deadline starts now. */
  private record HandlerStarted(long epoch) implements Command {}

  /** Thrown to have the supervisor restart the actor, after its backoff, for the next attempt. */
  public static final class RetryAttempt extends RuntimeException {
    RetryAttempt(String message) {
      super(message, null, false, false);
    }
  }

  /**
   * What a run actor needs. {@code firstGrant} is taken by the first incarnation only; the
   * incarnations that the supervisor restarts find it empty and ask the entity instead.
   */
  public record Init(RunServices services, LiveRun liveRun, Registration registration,
      EntityChannel entity, JsonNode payload, long timeoutMs,
      AtomicReference<Granted> firstGrant, RunSpec spec) {}

  public static Behavior<Command> create(Init init) {
    return Behaviors.setup(ctx -> Behaviors.withTimers(t -> new RunActor(init, ctx, t).begin()));
  }

  private final Init init;
  private final ActorContext<Command> ctx;
  private final TimerScheduler<Command> timers;
  /** The span of this incarnation's attempt, once granted. */
  private AttemptSpan span = AttemptSpan.NONE;

  private RunActor(Init init, ActorContext<Command> ctx, TimerScheduler<Command> timers) {
    this.init = init;
    this.ctx = ctx;
    this.timers = timers;
  }

  private String runId() {
    return init.liveRun().runId();
  }

  private Behavior<Command> begin() {
    Granted first = init.firstGrant().getAndSet(null);
    if (first != null) {
      return attempt(first);
    }
    ActorRef<Granted> replyTo = ctx.messageAdapter(Granted.class, GrantArrived::new);
    init.entity().nextAttempt(runId(), init.liveRun().lastEpoch(), replyTo);
    return Behaviors.receive(Command.class)
        .onMessage(GrantArrived.class, m -> attempt(m.grant()))
        .build();
  }

  private Behavior<Command> attempt(Granted g) {
    span = init.services().tracing.attempt(init.registration().name(), runId(), g.attempt(),
        init.spec());
    AttemptContext actx = new AttemptContext(init.services(), init.liveRun(), init.entity(),
        init.registration().name(), g, init.payload(), init.spec(), init.timeoutMs(), span);
    init.liveRun().beginAttempt(actx);
    // the message is built before piping: a null result must not become a null message
    ctx.pipeToSelf(invoke(actx).handle((result, failure) -> new HandlerDone(g.epoch(), result, failure)),
        (done, never) -> done);
    return Behaviors.receive(Command.class)
        .onMessage(HandlerDone.class, done -> onHandlerDone(actx, done))
        .onMessage(HandlerStarted.class, started -> onStarted(started))
        .onMessage(DeadlineReached.class, d -> onDeadline(actx))
        .onMessage(CancelAndCompensate.class, c -> onCancelled(actx, c))
        .onSignal(PostStop.class, stopped -> spanStopped())
        .build();
  }

  private Behavior<Command> onStarted(HandlerStarted started) {
    timers.startSingleTimer(new DeadlineReached(started.epoch()),
        Duration.ofMillis(init.timeoutMs()));
    return Behaviors.same();
  }

  /**
   * Starts the handler on its dispatcher; the stage completes with its result or failure. The
   * attempt's deadline starts when the handler gets its thread, not while it waits for one; an
   * attempt cancelled before that never runs its handler.
   */
  private CompletionStage<JsonNode> invoke(AttemptContext actx) {
    Registration reg = init.registration();
    ActorRef<Command> self = ctx.getSelf();
    AttemptSpan attemptSpan = span;
    if (reg.async() != null) {
      return CompletableFuture.supplyAsync(() -> actx.begin(null)
              ? started(self, actx, () -> callAsync(reg, actx, attemptSpan)) : notStarted(),
              init.services().handlerExecutor)
          .thenCompose(stage -> stage);
    }
    CompletableFuture<JsonNode> result = new CompletableFuture<>();
    try {
      init.services().blockingExecutor.execute(() -> {
        if (!actx.begin(Thread.currentThread())) {
          result.completeExceptionally(new CancellationException("cancelled before it started"));
          return;
        }
        self.tell(new HandlerStarted(actx.epoch()));
        try (Scope current = attemptSpan.makeCurrent()) {
          result.complete(reg.blocking().run(actx));
        } catch (Throwable t) {
          result.completeExceptionally(t);
        } finally {
          actx.unbindThread();
          Thread.interrupted(); // a cancel's interrupt must not leak into the pool's next task
        }
      });
    } catch (RuntimeException rejected) {
      result.completeExceptionally(rejected);
    }
    return result;
  }

  private static CompletionStage<JsonNode> started(ActorRef<Command> self, AttemptContext actx,
      Supplier<CompletionStage<JsonNode>> handler) {
    self.tell(new HandlerStarted(actx.epoch()));
    return handler.get();
  }

  private static CompletionStage<JsonNode> notStarted() {
    return CompletableFuture.failedFuture(new CancellationException("cancelled before it started"));
  }

  /** Runs the async handler with the attempt's span current while it makes its stage. */
  private static CompletionStage<JsonNode> callAsync(Registration reg, AttemptContext actx,
      AttemptSpan span) {
    try (Scope current = span.makeCurrent()) {
      CompletionStage<JsonNode> stage = reg.async().run(actx);
      return stage != null ? stage : CompletableFuture.failedFuture(
          new IllegalStateException("handler returned a null CompletionStage"));
    } catch (Exception e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  private Behavior<Command> onHandlerDone(AttemptContext actx, HandlerDone done) {
    if (actx.isCancelled()) {
      return Behaviors.same(); // timed out or cancelled: that outcome is already reported
    }
    timers.cancelAll();
    init.liveRun().endAttempt(done.epoch());
    Throwable cause =
        done.failure() == null ? unrecordable(done.result()) : unwrap(done.failure());
    if (actx.steps().cancelling()) {
      return settle(actx, Outcome.CANCELLED, CANCELLED);
    }
    if (actx.steps().failing() != null) {
      return settle(actx, Outcome.FAILED, actx.steps().failing()); // the run's original error
    }
    if (actx.steps().compensating()) {
      return settle(actx, Outcome.FAILED, new RunError(ErrorCode.PERMANENT_ERROR,
          actx.steps().failureBeforeCompensation() + " (compensated: attempt " + actx.attempt()
              + " resumed the compensations of a lost attempt)"));
    }
    if (cause == null) {
      report(done.epoch(), Outcome.SUCCEEDED, done.result(), null);
      return finished();
    }
    boolean permanent = cause instanceof PermanentFailure || cause instanceof OutputRefused
        || (!(cause instanceof TransientFailure)
            && init.registration().definition().config().errorClassifier().isPermanent(cause));
    int maxAttempts = init.registration().definition().config().retry().maxAttempts();
    ctx.getLog().info("run {} attempt {} failed: {}", runId(), actx.attempt(), FailureText.describe(cause));
    if (permanent) {
      return settle(actx, Outcome.FAILED,
          new RunError(ErrorCode.PERMANENT_ERROR, FailureText.describe(cause), label(cause)));
    }
    if (actx.attempt() >= maxAttempts) {
      return settle(actx, Outcome.FAILED, new RunError(ErrorCode.TRANSIENT_ERROR,
          "failed after " + actx.attempt() + " attempts: " + FailureText.describe(cause), label(cause)));
    }
    report(done.epoch(), Outcome.RETRY, null,
        new RunError(ErrorCode.TRANSIENT_ERROR, FailureText.describe(cause), label(cause)));
    throw new RetryAttempt("retry run " + runId() + " after attempt " + actx.attempt());
  }

  /**
   * The permanent failure of a result the journal must not record (past the run data's {@link
   * dev.troupe.node.config.JsonLimits}, or over {@code troupe.worker.max-result-bytes}), or null.
   */
  private Throwable unrecordable(JsonNode result) {
    RunServices services = init.services();
    try {
      services.settings.json().check("the handler's result", result);
      services.settings.output().result(services.mapper, result);
      return null;
    } catch (InvalidArgumentException e) {
      return new PermanentFailure(e.getMessage());
    }
  }

  private Behavior<Command> onDeadline(AttemptContext actx) {
    if (actx.isCancelled()) {
      return Behaviors.same();
    }
    init.liveRun().endAttempt(actx.epoch());
    actx.cancel("timeout");
    return settle(actx, Outcome.TIMED_OUT, new RunError(ErrorCode.TIMEOUT,
        "attempt " + actx.attempt() + " exceeded its timeout of " + init.timeoutMs() + " ms"));
  }

  private Behavior<Command> onCancelled(AttemptContext actx, CancelAndCompensate c) {
    if (actx.isCancelled() || c.epoch() != actx.epoch()) {
      return Behaviors.same();
    }
    timers.cancelAll();
    init.liveRun().endAttempt(actx.epoch());
    actx.cancel("cancelled");
    return settle(actx, Outcome.CANCELLED, CANCELLED);
  }

  /**
   * The run failed for good or was cancelled: its compensations run first (off this actor, each retried per the
   * definition's policy, without the attempt's deadline), then the outcome is reported. A failed
   * compensation is recorded and does not change the outcome.
   */
  private Behavior<Command> settle(AttemptContext actx, Outcome outcome, RunError error) {
    if (!actx.steps().hasCompensations()) {
      report(actx.epoch(), outcome, null, error);
      return finished();
    }
    RetryPolicy policy = init.registration().definition().config().retry();
    ctx.pipeToSelf(CompletableFuture.runAsync(() -> actx.steps().compensate(policy),
            init.services().blockingExecutor),
        (ok, failure) -> {
          if (failure != null) {
            ctx.getLog().info("run {}: compensations stopped: {}", runId(),
                FailureText.describe(unwrap(failure)));
          }
          return new Compensated(actx.epoch(), outcome, error);
        });
    return Behaviors.receive(Command.class)
        .onMessage(Compensated.class, c -> {
          report(c.epoch(), c.outcome(), null, c.error());
          return finished();
        })
        .onSignal(PostStop.class, stopped -> spanStopped())
        .build();
  }

  private void report(long epoch, Outcome outcome, JsonNode result, RunError error) {
    span.end(outcome.name(), error);
    init.entity().outcome(runId(), epoch, outcome, result, error);
  }

  /**
   * The actor stopped before its attempt reported an outcome (its entity stopped it: a drain, a
   * move, a cancel): the attempt's span ends as {@code STOPPED}.
   */
  private Behavior<Command> spanStopped() {
    span.end("STOPPED", null);
    return Behaviors.same();
  }

  /** The outcome is reported: wait for the entity to record it and stop this actor. */
  private static Behavior<Command> finished() {
    return Behaviors.receive(Command.class).build();
  }

  private static Throwable unwrap(Throwable t) {
    while ((t instanceof CompletionException || t instanceof ExecutionException)
        && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }

  /** The failure's own code label, when it is a Troupe failure that has one. */
  private static String label(Throwable t) {
    if (t instanceof PermanentFailure p) {
      return p.code().orElse(null);
    }
    return t instanceof TransientFailure tf ? tf.code().orElse(null) : null;
  }
}
