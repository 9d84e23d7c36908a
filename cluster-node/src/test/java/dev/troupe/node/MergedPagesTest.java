package dev.troupe.node;

import static org.assertj.core.api.Assertions.assertThat;

import dev.troupe.api.RunPage;
import dev.troupe.api.RunQuery;
import dev.troupe.api.RunResult;
import dev.troupe.api.RunStatus;
import dev.troupe.node.entity.WorkerEntity;
import dev.troupe.persistence.RunIds;
import dev.troupe.persistence.history.PageCursor;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Pages merged from the history and the entities' active runs: every run exactly once across
 * pages, in the history's order, a run in both sources as its entity has it. The history's side
 * is a list read as its store reads it (the first runs after the cursor, newest first); the
 * entities' side is the entity's own selection ({@link WorkerEntity.GetActivePage#select}).
 */
class MergedPagesTest {
  private static final Instant T = Instant.parse("2026-01-01T00:00:00Z");

  private static RunResult run(String entity, long millis, RunStatus status) {
    String id = RunIds.newRunId(entity, T.toEpochMilli() + millis);
    return new RunResult(id, RunIds.workerOf(entity), status, 0, T.plusMillis(millis), null,
        null, null, null, null, null, List.of());
  }

  /** The history's page of {@code query}: its first {@code limit} runs after the cursor. */
  private static RunPage historyPage(List<RunResult> history, RunQuery query) {
    PageCursor after = query.cursor() == null ? null : PageCursor.decode(query.cursor());
    List<RunResult> matching = history.stream()
        .filter(r -> after == null || after.precedes(r)).sorted(PageCursor.NEWEST_FIRST).toList();
    if (matching.size() <= query.limit()) {
      return new RunPage(matching, null);
    }
    List<RunResult> page = matching.subList(0, query.limit());
    return new RunPage(page, PageCursor.after(page.get(page.size() - 1)).encode());
  }

  private static List<RunResult> readAll(List<RunResult> history,
      Map<String, List<RunResult>> entities, int limit) {
    List<RunResult> seen = new ArrayList<>();
    RunQuery query = RunQuery.first(limit);
    for (int pages = 0; pages < 50; pages++) {
      RunQuery q = query;
      Map<String, List<RunResult>> answers = new HashMap<>();
      entities.forEach((id, active) ->
          answers.put(id, new WorkerEntity.GetActivePage(q, null).select(active)));
      RunPage page = MergedPages.merge(historyPage(history, q), answers.values(), limit);
      assertThat(page.runs()).hasSizeLessThanOrEqualTo(limit);
      seen.addAll(page.runs());
      if (page.nextCursor() == null) {
        return seen;
      }
      query = query.withCursor(page.nextCursor());
    }
    throw new AssertionError("no last page after 50 pages");
  }

  @Test
  void pagesOverBothSourcesShowEveryRunOnceInTheHistorysOrder() {
    // given runs only in the history (finished), in both (the entity's version fresher, one with
    // the same creation time as another), and only in the entities (not projected yet)
    RunResult done1 = run("a", 1, RunStatus.SUCCEEDED);
    RunResult done2 = run("b", 3, RunStatus.FAILED);
    RunResult both1 = run("a", 4, RunStatus.QUEUED);
    RunResult both2 = run("b", 4, RunStatus.QUEUED);
    RunResult done3 = run("a", 6, RunStatus.CANCELLED);
    RunResult new1 = run("a", 7, RunStatus.RUNNING);
    RunResult new2 = run("b", 8, RunStatus.QUEUED);
    RunResult new3 = run("a", 9, RunStatus.QUEUED);
    RunResult both1Live = withStatus(both1, RunStatus.RUNNING);
    RunResult both2Live = withStatus(both2, RunStatus.RETRYING);
    List<RunResult> history = List.of(done1, done2, both1, both2, done3);
    Map<String, List<RunResult>> entities = Map.of(
        "a", List.of(both1Live, new1, new3), "b", List.of(both2Live, new2));
    List<RunResult> expected = new ArrayList<>(List.of(done1, done2, both1Live, both2Live, done3,
        new1, new2, new3));
    expected.sort(PageCursor.NEWEST_FIRST);

    for (int limit : List.of(1, 2, 3, 8, 20)) {
      // when every page is read in turn
      List<RunResult> seen = readAll(history, entities, limit);

      // then each run shows once, newest first, the entity's version where it has one
      assertThat(seen).as("limit " + limit).containsExactlyElementsOf(expected);
    }
  }

  @Test
  void aRunTheHistoryShowsUnfinishedAndItsEntityNoLongerHasIsStale() {
    // given a run the history shows RUNNING, of an entity that answered without it
    RunResult finishedSince = run("a", 1, RunStatus.RUNNING);
    RunResult ofSilentEntity = run("b", 2, RunStatus.RUNNING);
    RunResult active = run("a", 3, RunStatus.QUEUED);
    RunResult done = run("a", 4, RunStatus.SUCCEEDED);
    RunPage page = new RunPage(List.of(done, active, ofSilentEntity, finishedSince), null);

    // when
    List<String> stale = MergedPages.stale(page, Map.of("a", List.of(active)));

    // then only that run is to be read from its entity
    assertThat(stale).containsExactly(finishedSince.runId());
    RunPage replaced = MergedPages.replace(page,
        Map.of(finishedSince.runId(), withStatus(finishedSince, RunStatus.SUCCEEDED)));
    assertThat(replaced.runs()).extracting(RunResult::status).containsExactly(
        RunStatus.SUCCEEDED, RunStatus.QUEUED, RunStatus.RUNNING, RunStatus.SUCCEEDED);
  }

  private static RunResult withStatus(RunResult r, RunStatus status) {
    return new RunResult(r.runId(), r.worker(), status, 1, r.createdAt(), null, null, null,
        null, null, null, List.of());
  }
}
