package dev.troupe.api;

/**
 * A child run started by a handler with {@link WorkerContext#call}: a {@link RunHandle} (its
 * stream, its result, its cancellation) with a blocking {@link #await()} for blocking handlers.
 * The child is recorded with the calling run as its {@code parentRunId}.
 */
public interface ChildRun extends RunHandle {

  /**
   * Blocks until the child has finished and returns it, whatever its status (a failed child is
   * a result here, not an exception).
   *
   * @throws Cancelled when the calling attempt is cancelled while it waits
   */
  default RunResult await() {
    return Stages.await(result(), "child run " + runId());
  }
}
