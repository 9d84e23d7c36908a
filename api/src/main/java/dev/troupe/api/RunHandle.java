package dev.troupe.api;

import java.util.concurrent.CompletionStage;
import org.apache.pekko.Done;
import org.apache.pekko.NotUsed;
import org.apache.pekko.stream.javadsl.Source;

/** A run that was accepted: its stream, its result, its cancellation. */
public interface RunHandle {
  String runId();

  String worker();

  /** True when an idempotency key matched and this handle is for an existing run. */
  boolean existing();

  /**
   * The run's status when the call that made this handle was answered: {@link
   * RunStatus#SCHEDULED} for a run whose start time ({@link CallOptions#runAt}, {@link
   * CallOptions#delay}) is ahead, {@link RunStatus#QUEUED} for any other new run (it may be
   * running already), or an existing run's status then. Null for a handle from {@link
   * Troupe#attach}, which asks nothing: read the run for its status.
   */
  RunStatus status();

  /**
   * The OpenTelemetry trace id of the run (32 lowercase hex digits), as its {@link
   * RunResult#traceId()} will say: known when the call is answered, so that a caller can find
   * the run's trace before it ends; the earlier run's for an {@link #existing()} one. Null when
   * tracing was off on the node that accepted the run, and for a handle from {@link
   * Troupe#attach}, which asks nothing.
   */
  String traceId();

  /**
   * The run's events from the first one, then live ones, ending after the terminal {@code
   * result} or {@code error} event; from any node. May be materialized any number of times.
   *
   * <p>A durable stream (the default, {@link WorkerConfig#durableStream()}) is complete from any
   * sequence number, during the run, after a failover or long after the run ended: events are
   * written before anyone sees them, and what the run's node no longer holds is read from the run
   * history (on a node with {@code troupe.history.enabled = off}, or when the history does not
   * catch up within {@code troupe.worker.stream.storage-wait}, a {@code status} event with {@code
   * "gap": {"from", "to"}} stands in for what it cannot give). A non-durable stream serves what
   * its replay buffer still holds, after such a gap notice for the rest, also for events lost
   * with a node; sequence numbers are never given twice either way.
   *
   * <p>A subscriber that falls too far behind fails with {@link SlowSubscriberException} naming
   * the last sequence number it got, so it can resume.
   */
  default Source<RunEvent, NotUsed> messages() {
    return messages(0);
  }

  /**
   * As {@link #messages()}, starting after sequence number {@code afterSeq}. For a finished run,
   * an {@code afterSeq} at or past its terminal event gives that terminal event again (same
   * sequence number), so that a subscriber resuming after the end still learns the outcome.
   */
  Source<RunEvent, NotUsed> messages(long afterSeq);

  /** Completes with the finished run (whatever its status), once it has finished. */
  CompletionStage<RunResult> result();

  /** Cancels the run; fails with {@link RunFinishedException} if it has already finished. */
  CompletionStage<Done> cancel();
}
