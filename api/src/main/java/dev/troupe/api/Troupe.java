package dev.troupe.api;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorSystem;

/**
 * The facade of a Troupe node: register workers, call them, follow, cancel and look up runs,
 * read statistics. Calls may reach a worker entity on any node of the cluster.
 *
 * <p>Guarantees: a call's stage completes only once the run is written to the journal; from then
 * on the run reaches exactly one terminal status, recorded once, across node crashes (handlers
 * run at least once). Stages fail with a {@link TroupeException} naming the problem.
 */
public interface Troupe extends WorkerRegistrar {

  /**
   * Starts a run of {@code worker} with {@code payload} (null means an empty object).
   *
   * @throws UnknownWorkerException when no such worker is registered on this node
   * @throws InvalidArgumentException when the name or payload is invalid
   * @throws RunRejectedException when the node is shutting down
   * @return completes once the run is recorded; fails with {@link RunRejectedException} when its
   *     queue is full
   */
  CompletionStage<RunHandle> call(String worker, JsonNode payload, CallOptions options);

  default CompletionStage<RunHandle> call(String worker, JsonNode payload) {
    return call(worker, payload, CallOptions.NONE);
  }

  /** Calls {@code worker} and completes with the finished run. */
  default CompletionStage<RunResult> run(String worker, JsonNode payload) {
    return call(worker, payload).thenCompose(RunHandle::result);
  }

  /** A handle to an existing run, from its id. */
  RunHandle attach(String runId);

  /** Cancels a run: fails with {@link UnknownRunException} or {@link RunFinishedException}. */
  CompletionStage<Done> cancel(String runId);

  /**
   * Re-runs a finished run: a new run of the same worker with the same payload, priority,
   * concurrency key and tags (not its idempotency key, start time, dependencies or per-call
   * timeout), whose {@link RunResult#rerunOf()} is {@code runId}. Each call starts a new run.
   *
   * @return completes once the new run is recorded; fails with {@link UnknownRunException}, or
   *     {@link RunNotFinishedException} when the run has not finished
   */
  CompletionStage<RunHandle> rerun(String runId);

  /**
   * Re-runs the worker's {@link RunStatus#FAILED} runs created at or after {@code since} (null:
   * any), newest first, at most {@link #MAX_RERUN_FAILED} per call, each as {@link #rerun} does,
   * under the idempotency key {@code rerun:<runId>}: calling again does not re-run a failed run
   * twice while its worker still retains the re-run. Reads the run history.
   *
   * @return completes with the number of runs re-run by this call
   */
  CompletionStage<Integer> rerunFailed(String worker, java.time.Instant since);

  /** The most failed runs {@link #rerunFailed} re-runs in one call. */
  int MAX_RERUN_FAILED = 1000;

  /** Looks a run up by id, running or finished. */
  CompletionStage<Optional<RunResult>> lookup(String runId);

  /**
   * Runs, newest first, paged: queued, running and finished ones. A query with an active status
   * lists runs as their worker entities have them, as soon as they are in it. A query without a
   * status merges the run history with the entities' active runs, so a run this caller was just
   * told is accepted (or running) is listed at once, as its entity has it; its cursor goes on
   * exactly after the last run of the page. A query with a finished status reads the run
   * history alone, a projection of the journal: a run shows there shortly after it finished.
   */
  CompletionStage<RunPage> runs(RunQuery query);

  /** The definitions registered on this node, by name. */
  List<WorkerDefinition> workers();

  /** Runs not yet finished (queued, running, retrying), of every worker. */
  CompletionStage<List<RunResult>> active();

  /** Runs not yet finished of one worker. */
  CompletionStage<List<RunResult>> active(String worker);

  /** Statistics of one worker (its partitions summed). */
  CompletionStage<WorkerStats> stats(String worker);

  /** The cluster's schedules: create, replace, pause, resume, trigger and delete them. */
  Schedules schedules();

  /** The actor system this node runs in. */
  ActorSystem<?> system();

  /**
   * Shuts the node down through CoordinatedShutdown: stops accepting calls and lets running runs
   * finish up to {@code troupe.shutdown.drain-timeout}. Runs still executing then are, by default
   * ({@code troupe.shutdown.after-drain = requeue}), interrupted and queued again first in line:
   * their next attempt starts from their last checkpoint on another node or at the next start,
   * and a run with no attempt left ends FAILED. With {@code after-drain = cancel} they end
   * CANCELLED instead. Queued runs stay queued in the journal and start when a node next runs
   * them.
   */
  CompletionStage<Done> shutdown();
}
