package dev.troupe.api;

/**
 * A page request over runs, newest first: optionally one worker's, optionally in one status.
 *
 * @param cursor null for the first page, else the {@link RunPage#nextCursor()} of the previous
 * @param limit 1 to 500
 */
public record RunQuery(String worker, RunStatus status, int limit, String cursor) {
  public static final int MAX_LIMIT = 500;

  public RunQuery {
    if (worker != null) {
      WorkerNames.validate(worker);
    }
    if (limit < 1 || limit > MAX_LIMIT) {
      throw new InvalidArgumentException("limit must be between 1 and " + MAX_LIMIT + ", was " + limit);
    }
  }

  public static RunQuery first(int limit) {
    return new RunQuery(null, null, limit, null);
  }
}
