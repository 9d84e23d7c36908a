package dev.troupe.api;

import java.time.Instant;

/**
 * A page request over runs, newest first: optionally one worker's, optionally in one status,
 * optionally the children of one run, optionally those carrying one tag, optionally those created
 * in a time range. Every filter given must hold for a run to be listed.
 *
 * @param cursor null for the first page, else the {@link RunPage#nextCursor()} of the previous
 * @param limit 1 to 500
 * @param parent the run whose children these are, or null for any
 * @param tag a tag the run was called with (exact, case-sensitive), or null for any
 * @param createdFrom the earliest creation time listed (inclusive), or null for no bound
 * @param createdBefore the creation time before which runs are listed (exclusive), or null for
 *     no bound; after {@code createdFrom} when both are given
 */
public record RunQuery(String worker, RunStatus status, int limit, String cursor, String parent,
    String tag, Instant createdFrom, Instant createdBefore) {
  public static final int MAX_LIMIT = 500;
  /** The longest tag a query may name. */
  public static final int MAX_TAG_LENGTH = 200;

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
    if (tag != null && (tag.isEmpty() || tag.length() > MAX_TAG_LENGTH)) {
      throw new InvalidArgumentException("tag must be 1 to " + MAX_TAG_LENGTH
          + " characters long, was " + tag.length());
    }
    if (createdFrom != null && createdBefore != null && !createdFrom.isBefore(createdBefore)) {
      throw new InvalidArgumentException("from must be before to, was from " + createdFrom
          + " and to " + createdBefore);
    }
  }

  public RunQuery(String worker, RunStatus status, int limit, String cursor, String parent) {
    this(worker, status, limit, cursor, parent, null, null, null);
  }

  public RunQuery(String worker, RunStatus status, int limit, String cursor) {
    this(worker, status, limit, cursor, null);
  }

  /** The same query from {@code next}, the {@link RunPage#nextCursor()} of one of its pages. */
  public RunQuery withCursor(String next) {
    return new RunQuery(worker, status, limit, next, parent, tag, createdFrom, createdBefore);
  }

  /** Whether {@code run} passes this query's tag and time filters (not its other ones). */
  public boolean tagAndTimeMatch(RunResult run) {
    return (tag == null || run.tags().contains(tag))
        && (createdFrom == null || !run.createdAt().isBefore(createdFrom))
        && (createdBefore == null || run.createdAt().isBefore(createdBefore));
  }

  /** The first page of the children of {@code runId}. */
  public static RunQuery childrenOf(String runId, int limit) {
    return new RunQuery(null, null, limit, null, runId);
  }

  public static RunQuery first(int limit) {
    return new RunQuery(null, null, limit, null);
  }
}
