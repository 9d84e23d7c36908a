package dev.troupe.node.run;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.troupe.api.Cancelled;
import dev.troupe.api.Compensation;
import dev.troupe.api.InvalidArgumentException;
import dev.troupe.api.PermanentFailure;
import dev.troupe.api.RetryPolicy;
import dev.troupe.api.RunError;
import dev.troupe.api.StepStatus;
import dev.troupe.node.tracing.AttemptSpan;
import dev.troupe.persistence.StepRecord;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.function.Supplier;
import org.apache.pekko.Done;

/**
 * The durable steps of one attempt: the steps recorded by earlier attempts (granted with the
 * attempt), each new one recorded by the entity before its result is handed back, and the
 * compensations this attempt registered, run in reverse order once the run fails for good.
 *
 * <p>A run whose compensations have begun (one is recorded), that was cancelled while it had
 * steps to compensate, or that failed for good with no attempt left to compensate them, is
 * compensating: its later attempts replay its recorded steps, to register their compensations
 * again, but run no new one, and the run ends FAILED (CANCELLED when cancelled) whatever its
 * handler does.
 */
final class DurableSteps {
  /** Thrown into a compensating run's handler at a step that has no recorded result. */
  static final class Compensating extends PermanentFailure {
    Compensating(String message) {
      super(message);
    }
  }

  private record Registered(String step, Compensation<Object> compensation, Object value) {}

  private final RunServices services;
  private final EntityChannel entity;
  private final String runId;
  private final long epoch;
  private final Map<String, StepRecord> recorded = new LinkedHashMap<>();
  private final List<Registered> registered = new ArrayList<>();
  private final boolean compensating;
  private final boolean cancelling;
  private final RunError failing;
  private final AttemptSpan span;

  DurableSteps(RunServices services, EntityChannel entity, String runId, Granted grant,
      AttemptSpan span) {
    this.services = services;
    this.span = span;
    this.entity = entity;
    this.runId = runId;
    this.epoch = grant.epoch();
    grant.steps().forEach(s -> recorded.put(s.name(), s));
    this.cancelling = grant.cancelling();
    this.failing = grant.failing();
    this.compensating = cancelling || failing != null
        || grant.steps().stream().anyMatch(s -> s.compensationStatus() != null);
  }

  /** Whether the run was cancelled before this attempt and waits for its compensations. */
  boolean cancelling() {
    return cancelling;
  }

  /** The error of a run that failed for good before this attempt, which only compensates. */
  RunError failing() {
    return failing;
  }

  /** Whether the run's compensations had begun before this attempt. */
  boolean compensating() {
    return compensating;
  }

  /** Whether this attempt has compensations to run should the run fail for good. */
  synchronized boolean hasCompensations() {
    return !registered.isEmpty() || recorded.values().stream()
        .anyMatch(StepRecord::awaitsCompensation);
  }

  /** Why a compensating run failed, as its recorded steps tell it. */
  synchronized String failureBeforeCompensation() {
    return recorded.values().stream().filter(s -> s.status() == StepStatus.FAILED)
        .map(s -> "step '" + s.name() + "' failed: " + s.error()).findFirst()
        .orElse("the run failed for good");
  }

  /** What a step needs of its attempt: whether it was cancelled, and its stream. */
  interface Attempt {
    boolean isCancelled();

    void publishStep(JsonNode data);
  }

  /** {@link dev.troupe.api.WorkerContext#step}: see there. */
  @SuppressWarnings("unchecked")
  <T> T step(Attempt ctx, String name, Class<T> type, Supplier<T> action,
      Compensation<T> compensation) {
    if (name == null || name.isBlank()) {
      throw new InvalidArgumentException("a step needs a name");
    }
    String compName = compensation == null ? null : compensation.name();
    StepRecord before;
    synchronized (this) {
      before = recorded.get(name);
    }
    if (before != null && before.hasResult()) {
      checkSame(before, type, compName);
      T value = bind(before, type);
      register(name, (Compensation<Object>) compensation, value);
      return value;
    }
    if (before != null && !before.type().equals(type.getName())) {
      checkSame(before, type, compName);
    }
    if (compensating) {
      throw new Compensating("the run " + (cancelling ? "was cancelled" : "failed for good")
          + " and is being compensated: step '" + name + "' does not run");
    }
    if (ctx.isCancelled()) {
      throw new Cancelled("the attempt is over: step '" + name + "' does not run");
    }
    ObjectNode started = services.mapper.createObjectNode().put("name", name)
        .put("status", "STARTED");
    if (compName == null) {
      started.putNull("compensation");
    } else {
      started.putObject("compensation").put("name", compName).putNull("status");
    }
    ctx.publishStep(started);
    T value;
    JsonNode result;
    try {
      value = action.get();
      result = checked(name, value);
    } catch (RuntimeException | Error e) {
      tryRecord(StepRecord.failed(name, type.getName(), FailureText.describe(e), compName));
      throw e;
    }
    record(StepRecord.succeeded(name, type.getName(), result, compName));
    register(name, (Compensation<Object>) compensation, value);
    return value;
  }

  private static void checkSame(StepRecord r, Class<?> type, String compensation) {
    if (!r.type().equals(type.getName())) {
      throw new PermanentFailure("step '" + r.name() + "' was recorded with a result of type "
          + r.type() + " and is asked again for type " + type.getName()
          + ": a step name is used once per run");
    }
    if (r.hasResult() && compensation != null && r.compensation() != null
        && !compensation.equals(r.compensation())) {
      throw new PermanentFailure("step '" + r.name() + "' was recorded with compensation '"
          + r.compensation() + "' and is asked again with '" + compensation + "'");
    }
  }

  private <T> T bind(StepRecord r, Class<T> type) {
    if (r.result() == null || type == Void.class) {
      return null;
    }
    try {
      return services.mapper.treeToValue(r.result(), type);
    } catch (JsonProcessingException | IllegalArgumentException e) {
      throw new PermanentFailure("the recorded result of step '" + r.name()
          + "' does not fit type " + type.getName() + ": " + e.getMessage(), e);
    }
  }

  /** The step's result as JSON, within the run data's limits, or a permanent failure. */
  private JsonNode checked(String name, Object value) {
    try {
      JsonNode json = value == null ? null
          : value instanceof JsonNode n ? n : services.mapper.valueToTree(value);
      services.settings.json().check("the result of step '" + name + "'", json);
      services.settings.output().stepResult(services.mapper, name, json);
      return json;
    } catch (InvalidArgumentException | IllegalArgumentException e) {
      throw new PermanentFailure(e.getMessage(), e);
    }
  }

  private synchronized void register(String name, Compensation<Object> c, Object value) {
    if (c != null && registered.stream().noneMatch(r -> r.step().equals(name))) {
      registered.add(new Registered(name, c, value));
    }
  }

  /** Records {@code step} and waits for the write. */
  private void record(StepRecord step) {
    await(entity.recordStep(runId, epoch, step));
    span.step(step);
    synchronized (this) {
      recorded.put(step.name(), step);
    }
  }

  /** Records a failed step if it can; the step's own failure is what the handler gets. */
  private void tryRecord(StepRecord step) {
    try {
      record(step);
    } catch (RuntimeException notRecorded) {
      // superseded or cancelled: the step's failure goes on unrecorded
    }
  }

  private static void await(CompletionStage<Done> write) {
    try {
      write.toCompletableFuture().get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new Cancelled("cancelled while recording a step");
    } catch (ExecutionException e) {
      Throwable cause = e.getCause() instanceof CompletionException c && c.getCause() != null
          ? c.getCause() : e.getCause();
      throw cause instanceof RuntimeException re ? re : new CompletionException(cause);
    }
  }

  /**
   * Runs the compensations still to run, last step first, each tried per {@code policy} and
   * recorded; one that keeps failing is recorded FAILED and the next one runs. A recorded step
   * awaiting compensation that this attempt did not register is recorded FAILED: its handler did
   * not reach it, so its compensation is not known here. Blocking; stops at the first write the
   * entity refuses (the attempt is superseded: another attempt goes on).
   */
  void compensate(RetryPolicy policy) {
    List<Registered> todo;
    List<StepRecord> pending;
    synchronized (this) {
      todo = new ArrayList<>(registered);
      pending = new ArrayList<>(recorded.values());
    }
    for (int i = pending.size() - 1; i >= 0; i--) {
      StepRecord step = pending.get(i);
      if (!step.awaitsCompensation()) {
        continue;
      }
      Registered reg = todo.stream().filter(r -> r.step().equals(step.name())).findFirst()
          .orElse(null);
      String failure = reg == null
          ? "not run: the failing attempt did not reach the step, so its compensation is unknown"
          : attempts(reg, policy);
      record(step.compensated(failure == null, failure));
    }
  }

  /** Runs a compensation up to the policy's attempts; null once it succeeds, else why not. */
  private static String attempts(Registered reg, RetryPolicy policy) {
    Duration backoff = policy.initialBackoff();
    for (int attempt = 1; ; attempt++) {
      try {
        reg.compensation().action().accept(reg.value());
        return null;
      } catch (RuntimeException e) {
        if (attempt >= policy.maxAttempts()) {
          return "failed after " + attempt + " attempts: " + FailureText.describe(e);
        }
      }
      try {
        Thread.sleep(backoff.toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return "interrupted while waiting to retry";
      }
      backoff = backoff.multipliedBy(2).compareTo(policy.maxBackoff()) > 0
          ? policy.maxBackoff() : backoff.multipliedBy(2);
    }
  }
}
