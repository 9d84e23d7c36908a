package dev.troupe.api;

import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * A worker made of batches, whose loop Troupe runs (register it with {@link
 * WorkerRegistrar#batch}): it asks {@link #batches} for the batches still to do, calls {@link
 * #process} for each, writes the returned checkpoint durably after every batch (with how many
 * batches are done), emits {@code {"progress": p, "batch": i, "of": n}} on the run's stream,
 * stops between batches once the run is cancelled, and calls {@link #finish} after the last one.
 * A retried or failed-over attempt resumes after the last written checkpoint: a batch whose
 * checkpoint was written never runs again; the one in flight when its attempt was lost does.
 *
 * <p>Runs as a blocking worker (on virtual threads when the JVM has them). Payloads, checkpoints
 * and results are (de)serialized with the node's Jackson mapper.
 *
 * <p><b>Batches as child runs.</b> When {@link #parallelism} returns n above 0 for a run's
 * payload, each batch runs instead as a child run of the definition {@code <name>-part} ({@link
 * Batches#partName}, registered with the worker by {@link
 * WorkerRegistrar#batch(String, Class, WorkerConfig, BatchWorker, WorkerConfig)}), anywhere in
 * the cluster, at most n of the run's batches unfinished at a time. The child's payload is the
 * batch written as JSON, its handler calls {@link #process} (in the child's attempt, with the
 * child's context) and its result is the checkpoint; a failure there is classified by {@link
 * #classify}, so the child retries per its own definition's policy or fails for good. The parent
 * emits the progress as children succeed, stops starting children once cancelled (its unfinished
 * children are cancelled with it), and gathers their checkpoints for {@link #finish} ({@link
 * BatchSummary#checkpoints()}). Its children have deterministic keys (their batch's position):
 * a retried or failed-over parent finds the same children, and a batch whose child had succeeded
 * is not processed again. A child that ended otherwise fails the parent for good, naming the
 * batch and the child run, with the child's label. In this mode {@link #batches} is called with
 * a null checkpoint on every attempt and must return the same batches in the same order.
 *
 * @param <P> the payload
 * @param <B> a batch
 * @param <C> the checkpoint after a batch: what {@link #batches} needs to go on after it
 * @param <R> the run's result
 */
public interface BatchWorker<P, B, C, R> {

  /**
   * The batches still to do: all of them when {@code lastCheckpoint} is null (a first attempt),
   * else those after it. Called once per attempt.
   */
  List<B> batches(P payload, C lastCheckpoint);

  /**
   * How many of this run's batches run at once as child runs: 0 (the default) processes them one
   * after the other in the run's own attempt, with a durable checkpoint after each; n above 0
   * makes each batch a child run, at most n unfinished at a time (see the class's notes). Called
   * once per attempt; must return the same value for the same payload. A failure here is
   * classified as one of {@link #batches}.
   */
  default int parallelism(P payload) {
    return 0;
  }

  /**
   * Processes one batch; returns the checkpoint after it (not null). With {@link #parallelism}
   * above 0, runs in the batch's child run: {@code ctx} is the child's.
   */
  C process(B batch, WorkerContext ctx) throws Exception;

  /** The run's result, once every batch is done (null for none). */
  R finish(BatchSummary<P, C> summary, WorkerContext ctx);

  /**
   * How a failure of {@link #batches} or {@link #process} ends the attempt: its label and
   * whether retrying can help. By default a {@link PermanentFailure} is permanent and anything
   * else transient (retried per the definition's policy, resuming after the last checkpoint),
   * each with its own code as label.
   */
  default BatchFailure classify(Throwable error) {
    if (error instanceof PermanentFailure p) {
      return BatchFailure.permanent(p.code().orElse(null));
    }
    return BatchFailure.transientFailure(
        error instanceof TransientFailure t ? t.code().orElse(null) : null);
  }

  /**
   * The type of {@code C}, to read the last checkpoint back: found from the implementing class's
   * type arguments; override it when they are not declared there (a generic subclass).
   */
  default Type checkpointType() {
    return typeArgument(2, "checkpointType()");
  }

  /**
   * The type of {@code B}, to read a batch back from a child run's payload ({@link
   * #parallelism} above 0): found as {@link #checkpointType()} is.
   */
  default Type batchType() {
    return typeArgument(1, "batchType()");
  }

  private Type typeArgument(int index, String override) {
    for (Class<?> c = getClass(); c != null; c = c.getSuperclass()) {
      for (Type t : c.getGenericInterfaces()) {
        if (t instanceof ParameterizedType p && p.getRawType() == BatchWorker.class) {
          return p.getActualTypeArguments()[index];
        }
      }
    }
    throw new InvalidArgumentException(getClass().getName() + " does not declare the type"
        + " arguments of BatchWorker: override " + override);
  }

  /**
   * Where a batch run stands when it finishes.
   *
   * @param lastCheckpoint the checkpoint after the last batch (null when there was none); with
   *     batches as child runs, the last batch's in the batches' order
   * @param batches how many batches the run had in all
   * @param resumedFrom how many were done before the attempt that finished (0 without a retry
   *     or a failover); with batches as child runs, those whose child had already succeeded
   * @param checkpoints with batches as child runs, every batch's checkpoint in the batches'
   *     order (a child's result), those of earlier attempts included; empty when the batches ran
   *     one after the other, each checkpoint following on the one before ({@code lastCheckpoint}
   *     says it all). Unmodifiable.
   */
  record BatchSummary<P, C>(P payload, C lastCheckpoint, int batches, int resumedFrom,
      List<C> checkpoints) {
    public BatchSummary {
      checkpoints = checkpoints == null ? List.of()
          : Collections.unmodifiableList(new ArrayList<>(checkpoints));
    }

    /** The summary of batches run one after the other: no {@code checkpoints}. */
    public BatchSummary(P payload, C lastCheckpoint, int batches, int resumedFrom) {
      this(payload, lastCheckpoint, batches, resumedFrom, List.of());
    }
  }

  /** A failure's label ({@link FailureCodes#RULE}, or null) and whether it is permanent. */
  record BatchFailure(String label, boolean permanent) {
    public BatchFailure {
      FailureCodes.check(label);
    }

    public static BatchFailure permanent(String label) {
      return new BatchFailure(label, true);
    }

    public static BatchFailure transientFailure(String label) {
      return new BatchFailure(label, false);
    }
  }
}
