package dev.troupe.client;

import java.time.Duration;

/**
 * A wait ran out before the run finished. The run itself goes on (it is not cancelled): {@link
 * #runId()} names it, when known, so that a caller can wait again, follow it or cancel it.
 */
public class WaitTimeoutException extends TroupeException {
  private final String runId;

  public WaitTimeoutException(String runId, Duration timeout) {
    super((runId == null ? "the run" : "run " + runId) + " did not finish within " + timeout);
    this.runId = runId;
  }

  /** The run waited for, or null when the node never told its id. */
  public String runId() {
    return runId;
  }
}
