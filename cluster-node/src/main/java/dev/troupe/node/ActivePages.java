package dev.troupe.node;

import dev.troupe.api.InvalidArgumentException;
import dev.troupe.api.RunPage;
import dev.troupe.api.RunQuery;
import dev.troupe.api.RunResult;
import java.util.Comparator;
import java.util.List;

/**
 * Pages of active runs (queued, running, retrying), as their entities answer them: newest first,
 * the cursor naming the last run of the previous page. Read from the entities rather than the
 * run history, a run shows here as soon as its entity has it in that status.
 */
final class ActivePages {
  /** Cursors of active-run pages; the history's cursors are base64url and never contain ':'. */
  private static final String PREFIX = "active:";

  private ActivePages() {}

  /** Whether {@code query} asks for runs in an active status. */
  static boolean isFor(RunQuery query) {
    return query.status() != null && !query.status().isTerminal();
  }

  /** The page of {@code active} (one entity answer or several) that {@code query} asks for. */
  static RunPage page(List<RunResult> active, RunQuery query) {
    String after = after(query.cursor());
    List<RunResult> matching = active.stream()
        .filter(r -> r.status() == query.status())
        .filter(r -> query.parent() == null || query.parent().equals(r.parentRunId()))
        .filter(query::tagAndTimeMatch)
        .filter(r -> after == null || r.runId().compareTo(after) < 0)
        .sorted(Comparator.comparing(RunResult::runId).reversed())
        .toList();
    if (matching.size() <= query.limit()) {
      return new RunPage(matching, null);
    }
    List<RunResult> page = matching.subList(0, query.limit());
    return new RunPage(page, PREFIX + page.get(page.size() - 1).runId());
  }

  private static String after(String cursor) {
    if (cursor == null) {
      return null;
    }
    if (!cursor.startsWith(PREFIX)) {
      throw new InvalidArgumentException("cursor '" + cursor + "' is not one of a page of runs"
          + " in an active status: use the nextCursor of the previous page of the same query");
    }
    return cursor.substring(PREFIX.length());
  }
}
