package dev.troupe.api;

import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
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

  /** Processes one batch; returns the checkpoint after it (not null). */
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
    for (Class<?> c = getClass(); c != null; c = c.getSuperclass()) {
      for (Type t : c.getGenericInterfaces()) {
        if (t instanceof ParameterizedType p && p.getRawType() == BatchWorker.class) {
          return p.getActualTypeArguments()[2];
        }
      }
    }
    throw new InvalidArgumentException(getClass().getName() + " does not declare the type"
        + " arguments of BatchWorker: override checkpointType()");
  }

  /**
   * Where a batch run stands when it finishes.
   *
   * @param lastCheckpoint the checkpoint after the last batch (null when there was none)
   * @param batches how many batches the run had in all
   * @param resumedFrom how many were done before the attempt that finished (0 without a retry
   *     or a failover)
   */
  record BatchSummary<P, C>(P payload, C lastCheckpoint, int batches, int resumedFrom) {}

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
