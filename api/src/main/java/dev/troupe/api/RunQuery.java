package dev.troupe.api;

/**
 * A page request over runs, newest first: optionally one worker's, optionally in one status,
 * optionally the children of one run.
 *
 * @param cursor null for the first page, else the {@link RunPage#nextCursor()} of the previous
 * @param limit 1 to 500
 * @param parent the run whose children these are, or null for any
 */
public record RunQuery(String worker, RunStatus status, int limit, String cursor, String parent) {
  public static final int MAX_LIMIT = 500;

  public RunQuery {
    if (worker != null) {
      WorkerNames.validate(worker);
    }
    if (limit < 1 || limit > MAX_LIMIT) {
      throw new InvalidArgumentException("limit must be between 1 and " + MAX_LIMIT + ", was " + limit);
    }
    if (parent != null && (parent.isBlank() || parent.length() > 128)) {
      throw new InvalidArgumentException("parent must be a run id, was '" + parent + "'");
    }
  }

  public RunQuery(String worker, RunStatus status, int limit, String cursor) {
    this(worker, status, limit, cursor, null);
  }

  /** The first page of the children of {@code runId}. */
  public static RunQuery childrenOf(String runId, int limit) {
    return new RunQuery(null, null, limit, null, runId);
  }

  public static RunQuery first(int limit) {
    return new RunQuery(null, null, limit, null);
  }
}
