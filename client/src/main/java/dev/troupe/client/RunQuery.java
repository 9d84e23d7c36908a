package dev.troupe.client;

/**
 * A filter for {@link TroupeClient#runs(RunQuery)}: every field is optional (null means any).
 * Immutable; each {@code with…} returns a new query.
 *
 * @param limit runs per page; null leaves it to the node (50)
 */
public record RunQuery(String worker, RunStatus status, Integer limit, String cursor) {
  /** Every run, newest first, in pages of the node's default size. */
  public static final RunQuery ALL = new RunQuery(null, null, null, null);

  /** Only the runs of worker {@code w}. */
  public RunQuery worker(String w) {
    return new RunQuery(w, status, limit, cursor);
  }

  /** Only the runs with status {@code s}. */
  public RunQuery status(RunStatus s) {
    return new RunQuery(worker, s, limit, cursor);
  }

  /** At most {@code n} runs per page. */
  public RunQuery limit(int n) {
    return new RunQuery(worker, status, n, cursor);
  }

  /** The page after the one whose {@link RunPage#nextCursor()} this is. */
  public RunQuery cursor(String c) {
    return new RunQuery(worker, status, limit, c);
  }
}
