package dev.troupe.api;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.BiFunction;

/**
 * A workflow as a state machine (the seeds' blueprints), run by a handler on top of child runs:
 * each task state starts a child run of its worker, whose payload is made from the workflow's
 * input and the previous state's result; the machine moves to the state's success or failure
 * state as the child ends, until it reaches an end state. Immutable and thread-safe: build it
 * once, run it in any number of runs.
 *
 * <pre>{@code
 * StateMachine m = StateMachine.startAt("resize")
 *     .task("resize", "resize-image", (input, previous) -> input, "apply-filters", "failed")
 *     .task("apply-filters", "apply-filters", (input, previous) -> previous, "completed", "failed")
 *     .succeedAt("completed")
 *     .failAt("failed")
 *     .build();
 * }</pre>
 *
 * <p>Durable as child runs are: the child of a state's k-th visit is named {@code
 * <state>#<k>}, so a retried or failed-over run walks the same path again over the children
 * that already ended, without running them again. Each state entered is emitted as a message
 * {@code {"state": name}} (with {@code "worker"} and {@code "childRunId"} for a task).
 */
public final class StateMachine {
  /** The most states one run may enter: a machine that loops without end fails there. */
  public static final int MAX_TRANSITIONS = 1000;

  /** The payload of a state's child from the workflow's input and the previous state's result. */
  @FunctionalInterface
  public interface Input extends BiFunction<JsonNode, JsonNode, Object> {}

  private record Task(String worker, Input input, String onSuccess, String onFailure) {}

  private final String initial;
  private final Map<String, Task> tasks;
  private final Set<String> succeedAt;
  private final Set<String> failAt;

  private StateMachine(Builder b) {
    this.initial = b.initial;
    this.tasks = Map.copyOf(b.tasks);
    this.succeedAt = Set.copyOf(b.succeedAt);
    this.failAt = Set.copyOf(b.failAt);
  }

  /** A machine that starts in state {@code initial}. */
  public static Builder startAt(String initial) {
    return new Builder(initial);
  }

  /**
   * Runs the machine from its initial state with {@code input} (the first state's "previous"
   * result too). Completes with the result of the last task when it reaches a success end
   * state; fails with {@link PermanentFailure} naming the end state and the failed task when it
   * reaches a failure end state, or when a child cannot be started.
   */
  public CompletionStage<JsonNode> run(WorkerContext ctx, JsonNode input) {
    return step(ctx, input, initial, input, null, new HashMap<>(), 0);
  }

  private CompletionStage<JsonNode> step(WorkerContext ctx, JsonNode input, String state,
      JsonNode previous, String failure, Map<String, Integer> visits, int transitions) {
    if (transitions >= MAX_TRANSITIONS) {
      return CompletableFuture.failedFuture(new PermanentFailure("the workflow entered "
          + MAX_TRANSITIONS + " states without reaching an end state (last: " + state + ")"));
    }
    Task task = tasks.get(state);
    if (task == null) {
      ctx.emit(ctx.newObject().put("state", state));
      return failAt.contains(state)
          ? CompletableFuture.failedFuture(new PermanentFailure(
              "the workflow ended in state '" + state + "': " + failure))
          : CompletableFuture.completedFuture(previous);
    }
    int visit = visits.merge(state, 1, Integer::sum);
    JsonNode payload;
    try {
      Object p = task.input().apply(input, previous);
      payload = p instanceof JsonNode n ? n : ctx.json().valueToTree(p);
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
    return ctx.callAsync(task.worker(), payload, ChildOptions.DEFAULT.named(state + "#" + visit))
        .thenCompose(child -> {
          ctx.emit(ctx.newObject().put("state", state).put("worker", task.worker())
              .put("childRunId", child.runId()));
          return child.result();
        })
        .thenCompose(r -> r.status() == RunStatus.SUCCEEDED
            ? step(ctx, input, task.onSuccess(), r.result(), null, visits, transitions + 1)
            : step(ctx, input, task.onFailure(), previous, "state '" + state + "' ("
                + task.worker() + ", run " + r.runId() + ") ended " + r.status()
                + (r.error() == null ? "" : ": " + r.error().message()), visits,
                transitions + 1));
  }

  /** Builds a {@link StateMachine}; {@link #build()} checks that every transition leads somewhere. */
  public static final class Builder {
    private final String initial;
    private final Map<String, Task> tasks = new HashMap<>();
    private final Set<String> succeedAt = new HashSet<>();
    private final Set<String> failAt = new HashSet<>();

    private Builder(String initial) {
      this.initial = Objects.requireNonNull(initial, "initial");
    }

    /**
     * A task state: a child run of {@code worker} with the payload {@code input} makes, then
     * {@code onSuccess} when it succeeds, {@code onFailure} when it ends otherwise.
     */
    public Builder task(String state, String worker, Input input, String onSuccess,
        String onFailure) {
      requireNew(state);
      tasks.put(state, new Task(Objects.requireNonNull(worker, "worker"),
          Objects.requireNonNull(input, "input"), Objects.requireNonNull(onSuccess, "onSuccess"),
          Objects.requireNonNull(onFailure, "onFailure")));
      return this;
    }

    /** An end state where the workflow succeeds with the last task's result. */
    public Builder succeedAt(String state) {
      requireNew(state);
      succeedAt.add(state);
      return this;
    }

    /** An end state where the workflow fails permanently, naming the task that failed. */
    public Builder failAt(String state) {
      requireNew(state);
      failAt.add(state);
      return this;
    }

    /**
     * @throws IllegalStateException when the initial state or a transition's target is not a
     *     state of the machine, or it has no end state
     */
    public StateMachine build() {
      Set<String> all = new HashSet<>(tasks.keySet());
      all.addAll(succeedAt);
      all.addAll(failAt);
      if (succeedAt.isEmpty() && failAt.isEmpty()) {
        throw new IllegalStateException("a state machine needs an end state");
      }
      if (!all.contains(initial)) {
        throw new IllegalStateException("the initial state '" + initial + "' is not defined");
      }
      tasks.forEach((name, t) -> {
        for (String target : new String[] {t.onSuccess(), t.onFailure()}) {
          if (!all.contains(target)) {
            throw new IllegalStateException("state '" + name + "' goes to '" + target
                + "', which is not defined");
          }
        }
      });
      return new StateMachine(this);
    }

    private void requireNew(String state) {
      if (state == null || state.isBlank() || state.length() > 90) {
        throw new IllegalArgumentException("a state's name must be 1 to 90 characters");
      }
      if (tasks.containsKey(state) || succeedAt.contains(state) || failAt.contains(state)) {
        throw new IllegalStateException("state '" + state + "' is defined twice");
      }
    }
  }
}
