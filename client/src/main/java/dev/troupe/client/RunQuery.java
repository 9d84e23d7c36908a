package dev.troupe.client;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * A filter for {@link TroupeClient#runs(RunQuery)}: every field is optional (null means any), and
 * every filter given must hold for a run to be listed. Immutable; each {@code with…} returns a
 * new query. The node checks the values: a bad one (a tag longer than 200 characters, {@code to}
 * not after {@code from}) is an {@link InvalidRequestException}.
 *
 * @param limit runs per page; null leaves it to the node (50)
 * @param tag a tag the run was called with, exact and case-sensitive
 * @param from the earliest creation time listed (inclusive)
 * @param to the creation time before which runs are listed (exclusive)
 * @param parent the run whose child runs (the runs its handler started) are listed
 */
public record RunQuery(String worker, RunStatus status, Integer limit, String cursor, String tag,
    Instant from, Instant to, String parent) {
  /** Every run, newest first, in pages of the node's default size. */
  public static final RunQuery ALL = new RunQuery(null, null, null, null, null, null, null, null);

  /** Only the runs of worker {@code w}. */
  public RunQuery worker(String w) {
    return new RunQuery(w, status, limit, cursor, tag, from, to, parent);
  }

  /** Only the runs with status {@code s}. */
  public RunQuery status(RunStatus s) {
    return new RunQuery(worker, s, limit, cursor, tag, from, to, parent);
  }

  /** At most {@code n} runs per page. */
  public RunQuery limit(int n) {
    return new RunQuery(worker, status, n, cursor, tag, from, to, parent);
  }

  /**
   * The page after the one whose {@link RunPage#nextCursor()} this is; the other filters must be
   * those of the query that gave that page.
   */
  public RunQuery cursor(String c) {
    return new RunQuery(worker, status, limit, c, tag, from, to, parent);
  }

  /** Only the runs called with tag {@code t} (exact, case-sensitive). */
  public RunQuery tag(String t) {
    return new RunQuery(worker, status, limit, cursor, t, from, to, parent);
  }

  /** Only the runs created at or after {@code instant}. */
  public RunQuery from(Instant instant) {
    return new RunQuery(worker, status, limit, cursor, tag, instant, to, parent);
  }

  /** Only the runs created before {@code instant}. */
  public RunQuery to(Instant instant) {
    return new RunQuery(worker, status, limit, cursor, tag, from, instant, parent);
  }

  /** Only the child runs of run {@code runId}: the runs its handler started. */
  public RunQuery parent(String runId) {
    return new RunQuery(worker, status, limit, cursor, tag, from, to, runId);
  }

  /** The query's parameters as a request's query string: empty, or {@code ?} and them. */
  String queryString() {
    List<String> q = new ArrayList<>();
    if (worker != null) {
      q.add("worker=" + UrlParts.query(worker));
    }
    if (status != null) {
      q.add("status=" + status.name());
    }
    if (limit != null) {
      q.add("limit=" + limit);
    }
    if (cursor != null) {
      q.add("cursor=" + UrlParts.query(cursor));
    }
    if (tag != null) {
      q.add("tag=" + UrlParts.query(tag));
    }
    if (from != null) {
      q.add("from=" + from);
    }
    if (to != null) {
      q.add("to=" + to);
    }
    if (parent != null) {
      q.add("parent=" + UrlParts.query(parent));
    }
    return q.isEmpty() ? "" : "?" + String.join("&", q);
  }
}
