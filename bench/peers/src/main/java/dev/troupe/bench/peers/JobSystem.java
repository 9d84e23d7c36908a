package dev.troupe.bench.peers;

import java.util.List;
import java.util.concurrent.CompletionStage;

/**
 * One job system under test (Troupe or a peer) on one storage, in this JVM. Every adapter runs the
 * same {@link JobBodies} for each {@link JobKind}; they differ only in how jobs are enqueued, how
 * progress reaches the caller and how the system counts finished jobs.
 */
interface JobSystem extends AutoCloseable {

  /** Starts the system on its storage, with a definition for every {@link JobKind}. */
  void start() throws Exception;

  /** The system's version, e.g. "db-scheduler 16.7.1". */
  String version();

  /** How it is configured, for the report. */
  String configuration();

  /** How a caller sees a job's progress messages in this system, for the report. */
  String progressChannel();

  /**
   * Enqueues jobs through the system's recommended path for many jobs at once; returns once all
   * are durably accepted (they may already be running).
   */
  void enqueueAll(JobKind kind, List<String> ids) throws Exception;

  /** Enqueues one job; the stage completes once it is durably accepted. */
  CompletionStage<Void> enqueue(JobKind kind, String id);

  /**
   * Enqueues one {@link JobKind#PROGRESS} job; the stage completes when the caller has seen its
   * first progress message.
   */
  CompletionStage<Void> callAndAwaitFirstMessage(String id);

  /**
   * Waits until what the system does in the background once jobs have finished has caught up, so
   * that the next workload starts on an idle system. Only Troupe has such work (its run history
   * projection); the peers return at once.
   */
  default void awaitBackgroundWork(int timeoutSeconds) throws Exception {}

  /** Jobs the system's own books count as finished since it started (monotonic). */
  long finishedCount() throws Exception;

  @Override
  void close() throws Exception;
}
