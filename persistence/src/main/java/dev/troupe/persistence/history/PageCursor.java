package dev.troupe.persistence.history;

import dev.troupe.api.InvalidArgumentException;
import dev.troupe.api.RunResult;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Comparator;

/**
 * Where a page of runs ends: the creation time and id of its last run, opaque to callers
 * (URL-safe Base64 of {@code <epochMillis>:<runId>}). Pages are in {@link #NEWEST_FIRST} order,
 * the history's ({@code created_at DESC, run_id DESC}); a run's place in it never changes, so a
 * page that merges runs read elsewhere (the worker entities' active runs) with a page of the
 * history ends with a cursor the history's next page continues from exactly.
 */
public record PageCursor(long createdAtMillis, String runId) {

  /** The order of pages: newest first by creation time, then by run id, descending. */
  public static final Comparator<RunResult> NEWEST_FIRST = Comparator
      .comparing(RunResult::createdAt).thenComparing(RunResult::runId).reversed();

  /** The cursor of a page whose last run is {@code last}. */
  public static PageCursor after(RunResult last) {
    return new PageCursor(last.createdAt().toEpochMilli(), last.runId());
  }

  /** Whether {@code run} comes after this cursor, on a later page. */
  public boolean precedes(RunResult run) {
    long at = run.createdAt().toEpochMilli();
    return at < createdAtMillis || at == createdAtMillis && run.runId().compareTo(runId) < 0;
  }

  public String encode() {
    return Base64.getUrlEncoder().withoutPadding()
        .encodeToString((createdAtMillis + ":" + runId).getBytes(StandardCharsets.UTF_8));
  }

  /** @throws InvalidArgumentException when {@code cursor} is not one that {@link #encode} wrote */
  public static PageCursor decode(String cursor) {
    try {
      String s = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
      int colon = s.indexOf(':');
      long millis = Long.parseLong(s.substring(0, colon));
      String runId = s.substring(colon + 1);
      if (millis >= 0 && !runId.isEmpty() && runId.length() <= 128) {
        return new PageCursor(millis, runId);
      }
    } catch (IllegalArgumentException | StringIndexOutOfBoundsException e) {
      // falls through to the error below
    }
    throw new InvalidArgumentException("cursor '" + cursor + "' is malformed: pass the"
        + " nextCursor of the previous page unchanged, or no cursor for the first page");
  }
}
