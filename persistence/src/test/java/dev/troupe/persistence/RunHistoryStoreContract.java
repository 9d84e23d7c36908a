package dev.troupe.persistence;

import static dev.troupe.persistence.Fixtures.accepted;
import static dev.troupe.persistence.Fixtures.at;
import static dev.troupe.persistence.Fixtures.checkpointed;
import static dev.troupe.persistence.Fixtures.failed;
import static dev.troupe.persistence.Fixtures.finished;
import static dev.troupe.persistence.Fixtures.fold;
import static dev.troupe.persistence.Fixtures.id;
import static dev.troupe.persistence.Fixtures.interrupted;
import static dev.troupe.persistence.Fixtures.json;
import static dev.troupe.persistence.Fixtures.started;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.troupe.api.ErrorCode;
import dev.troupe.api.InvalidArgumentException;
import dev.troupe.api.RunError;
import dev.troupe.api.RunPage;
import dev.troupe.api.RunQuery;
import dev.troupe.api.RunResult;
import dev.troupe.api.RunStatus;
import dev.troupe.persistence.RunHistoryStore.Entry;
import dev.troupe.persistence.history.JdbcRunHistoryStore;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What {@link RunHistoryStore} guarantees on every supported database: journal entries fold into
 * the rows the entity itself would show, replays change nothing, pages are newest first and
 * cursors cover every run once, a batch and its offset are written together or not at all.
 * Subclasses give a fresh, empty database for each test.
 */
abstract class RunHistoryStoreContract {
  private static final String PID = "worker|send-email";
  private static final String P = RunHistory.PROJECTION;

  private DatabaseSettings db;
  private RunHistoryStore store;
  private long seqNr;

  /** A fresh, empty database (or schema) for the current test. */
  protected abstract DatabaseSettings newDatabase() throws SQLException;

  /** Drops what {@link #newDatabase()} made, once the store is closed. */
  protected void dropDatabase(DatabaseSettings db) throws SQLException {}

  @BeforeEach
  void openStore() throws SQLException {
    db = newDatabase();
    SchemaMigrator.migrate(db);
    store = JdbcRunHistoryStore.open(db, 2);
  }

  @AfterEach
  void closeStore() throws SQLException {
    store.close();
    dropDatabase(db);
  }

  /** The next journal entry of send-email's entity: one event, or several as one Recorded. */
  private Entry entry(WorkerEvent... events) {
    return new Entry(PID, ++seqNr,
        events.length == 1 ? events[0] : new WorkerEvent.Recorded(List.of(events)));
  }

  private static String runId(int n, String entityId) {
    return String.format("01JD3Q7R8V3K5M9W2X4Y6Z8%03d-%s", n, entityId.replace('#', '.'));
  }

  private static WorkerEvent.RunAccepted acceptedAt(String runId, long atMs) {
    return new WorkerEvent.RunAccepted(runId, json("n", runId), 30_000, null, List.of(), at(atMs));
  }

  /** A lifecycle of send-email's runs 1-6, in five journal entries. */
  private List<Entry> lifecycle() {
    return List.of(
        entry(accepted(id(1), null, 0), accepted(id(2), "key-2", 1), accepted(id(3), null, 2),
            accepted(id(4), null, 3), accepted(id(5), null, 4), accepted(id(6), null, 5)),
        entry(started(id(1), 1, 1, 10), started(id(2), 1, 2, 11), started(id(3), 1, 3, 12),
            started(id(6), 1, 4, 13)),
        entry(checkpointed(id(1), 1, json("done", 3), 15)),
        entry(finished(id(1), RunStatus.SUCCEEDED, 112), failed(id(2), 1, 20),
            interrupted(id(3), 30), finished(id(4), RunStatus.CANCELLED, 40)),
        entry(started(id(2), 2, 5, 60), finished(id(2), RunStatus.FAILED, 90),
            finished(id(6), RunStatus.TIMED_OUT, 70)));
  }

  private static WorkerEvent[] eventsOf(List<Entry> entries) {
    List<WorkerEvent> out = new ArrayList<>();
    for (Entry e : entries) {
      if (e.event() instanceof WorkerEvent.Recorded r) {
        out.addAll(r.events());
      } else {
        out.add(e.event());
      }
    }
    return out.toArray(WorkerEvent[]::new);
  }

  private List<List<Object>> rawRows() throws SQLException {
    List<List<Object>> rows = new ArrayList<>();
    try (Connection c = DriverManager.getConnection(db.url(), db.user(), db.password());
        Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT * FROM \"troupe_runs\" ORDER BY \"run_id\"")) {
      int n = rs.getMetaData().getColumnCount();
      while (rs.next()) {
        List<Object> row = new ArrayList<>();
        for (int i = 1; i <= n; i++) {
          row.add(rs.getObject(i));
        }
        rows.add(row);
      }
    }
    return rows;
  }

  private List<RunResult> allPages(RunQuery first) {
    List<RunResult> all = new ArrayList<>();
    RunQuery q = first;
    for (int pages = 0; pages < 100; pages++) {
      RunPage page = store.page(q);
      all.addAll(page.runs());
      if (page.nextCursor() == null) {
        return all;
      }
      q = q.withCursor(page.nextCursor());
    }
    throw new AssertionError("more than 100 pages");
  }

  private static final Comparator<RunResult> NEWEST_FIRST =
      Comparator.comparing(RunResult::createdAt).thenComparing(RunResult::runId).reversed();

  @Test
  void entriesFoldIntoTheRunsTheEntityShows() {
    // given the lifecycle of six runs, written in two batches
    List<Entry> entries = lifecycle();
    // when
    store.applyAll(P, entries.subList(0, 2), 2);
    store.applyAll(P, entries.subList(2, 5), 5);
    // then every row is the run as the entity's own state shows it
    WorkerState state = fold(eventsOf(entries));
    for (int n = 1; n <= 6; n++) {
      assertThat(store.find(id(n))).as("run %d", n)
          .contains(state.run(id(n)).orElseThrow().toResult("send-email"));
    }
    RunResult succeeded = store.find(id(1)).orElseThrow();
    assertThat(succeeded.status()).isEqualTo(RunStatus.SUCCEEDED);
    assertThat(succeeded.durationMs()).isEqualTo(102);
    assertThat(succeeded.result()).isEqualTo(json("done", id(1)));
    assertThat(succeeded.payload()).isEqualTo(json("to", id(1) + "@example.com"));
    assertThat(succeeded.tags()).containsExactly("mail");
    RunResult retried = store.find(id(2)).orElseThrow();
    assertThat(retried.status()).isEqualTo(RunStatus.FAILED);
    assertThat(retried.attempts()).isEqualTo(2);
    assertThat(retried.startedAt()).isEqualTo(at(11));
    assertThat(retried.error().message()).isEqualTo("bad input");
    RunResult interrupted = store.find(id(3)).orElseThrow();
    assertThat(interrupted.status()).isEqualTo(RunStatus.QUEUED);
    assertThat(interrupted.attempts()).isEqualTo(1);
    RunResult cancelledBeforeStart = store.find(id(4)).orElseThrow();
    assertThat(cancelledBeforeStart.status()).isEqualTo(RunStatus.CANCELLED);
    assertThat(cancelledBeforeStart.startedAt()).isNull();
    assertThat(cancelledBeforeStart.durationMs()).isNull();
    assertThat(store.find(id(5)).orElseThrow().status()).isEqualTo(RunStatus.QUEUED);
    assertThat(store.find(id(6)).orElseThrow().status()).isEqualTo(RunStatus.TIMED_OUT);
    assertThat(store.find(id(99))).isEmpty();
  }

  @Test
  void aDelayedRunIsScheduledInTheHistoryUntilItIsDueThenGoesOnAsAnyRun() {
    // given a run with a start time, priority and key, accepted
    RunSpec spec = new RunSpec(7, "tenant-a", at(5_000), List.of(), null, null, null);
    store.applyAll(P, List.of(entry(Fixtures.accepted(id(1), 0, spec))), 1);
    RunResult scheduled = store.find(id(1)).orElseThrow();

    // when it becomes due and starts
    store.applyAll(P, List.of(entry(Fixtures.due(id(1), 5_000)),
        entry(started(id(1), 1, 1, 5_010))), 3);

    // then
    assertThat(scheduled.status()).isEqualTo(RunStatus.SCHEDULED);
    assertThat(scheduled.scheduledFor()).isEqualTo(at(5_000));
    assertThat(scheduled.priority()).isEqualTo(7);
    assertThat(scheduled.concurrencyKey()).isEqualTo("tenant-a");
    RunResult running = store.find(id(1)).orElseThrow();
    assertThat(running.status()).isEqualTo(RunStatus.RUNNING);
    assertThat(running.scheduledFor()).isEqualTo(at(5_000));
    assertThat(running.startedAt()).isEqualTo(at(5_010));
  }

  @Test
  void aPartitionsRunsBelongToTheirWorker() {
    // given
    String run = runId(1, "send-email#2");
    // when
    store.applyAll(P, List.of(new Entry("worker|send-email#2", 1,
        new WorkerEvent.Recorded(List.of(acceptedAt(run, 0), started(run, 1, 1, 5))))), 1);
    // then
    RunResult r = store.find(run).orElseThrow();
    assertThat(r.worker()).isEqualTo("send-email");
    assertThat(r.status()).isEqualTo(RunStatus.RUNNING);
    assertThat(store.page(new RunQuery("send-email", null, 10, null)).runs())
        .extracting(RunResult::runId).containsExactly(run);
  }

  @Test
  void anErrorMessageWithANulCharacterIsStoredAndTheHistoryGoesOn() {
    // given a run that failed with a message echoing client input, NUL included (PostgreSQL's
    // text refuses NUL: the batch, and every one after it, would fail for good)
    String run = runId(1, "send-email");
    RunError error = new RunError(ErrorCode.PERMANENT_ERROR, "bad input: a\u0000b");
    // when
    store.applyAll(P, List.of(new Entry("worker|send-email", 1, new WorkerEvent.Recorded(List.of(
        acceptedAt(run, 0), started(run, 1, 1, 5),
        new WorkerEvent.RunFinished(run, RunStatus.FAILED, null, error, at(9)))))), 1);
    // then
    assertThat(store.find(run).orElseThrow().error().message()).isEqualTo("bad input: a\uFFFDb");
    assertThat(store.offset(P)).isEqualTo(1);
  }

  @Test
  void anErrorsLabelIsStoredWithItsCodeAndMessage() {
    // given a run whose handler failed with a coded PermanentFailure, and one without a code
    String labelled = runId(1, "send-email");
    String plain = runId(2, "send-email");
    RunError coded =
        new RunError(ErrorCode.PERMANENT_ERROR, "no @ in the address", "invalid-email");
    // when
    store.applyAll(P, List.of(new Entry("worker|send-email", 1, new WorkerEvent.Recorded(List.of(
        acceptedAt(labelled, 0), started(labelled, 1, 1, 5),
        new WorkerEvent.RunFinished(labelled, RunStatus.FAILED, null, coded, at(9)),
        acceptedAt(plain, 0), started(plain, 1, 1, 5),
        new WorkerEvent.RunFinished(plain, RunStatus.FAILED, null,
            new RunError(ErrorCode.PERMANENT_ERROR, "bad"), at(9)))))), 1);
    // then
    assertThat(store.find(labelled).orElseThrow().error()).isEqualTo(coded);
    assertThat(store.find(plain).orElseThrow().error().label()).isNull();
  }

  @Test
  void applyingTheSameEntriesAgainChangesNothing() throws SQLException {
    // given
    List<Entry> entries = lifecycle();
    store.applyAll(P, entries, 5);
    List<List<Object>> before = rawRows();
    // when the whole batch comes again, then parts of it out of their order
    store.applyAll(P, entries, 5);
    store.applyAll(P, List.of(entries.get(3), entries.get(1)), 5);
    store.applyAll(P, List.of(entries.get(0), entries.get(0)), 5);
    // then
    assertThat(rawRows()).isEqualTo(before);
    assertThat(before).hasSize(6);
  }

  @Test
  void streamEventsAreStoredOnceEvenWhenTheirEntriesAreAppliedAgain() {
    // given a run whose durable stream has five events over three entries, the last one with the
    // terminal event before its RunFinished (as an entity writes them), and a reservation
    List<Entry> entries = List.of(
        entry(accepted(id(1)), Fixtures.streamed(id(1), 1, "status", json("status", "QUEUED"), 0)),
        entry(started(id(1), 1, 1, 10), Fixtures.streamed(id(1), 2, "status",
            json("status", "RUNNING"), 10), Fixtures.streamed(id(1), 3, "message", json("i", 1), 11),
            Fixtures.reserved(id(1), 99, 11)),
        entry(Fixtures.streamed(id(1), 4, "log", json("message", "done"), 12),
            Fixtures.streamed(id(1), 5, "result", null, 20),
            finished(id(1), RunStatus.SUCCEEDED, 20)));
    store.applyAll(P, entries.subList(0, 2), 2);

    // when the projection replays from the start (at-least-once), then goes on
    store.applyAll(P, entries, 3);
    store.applyAll(P, entries.subList(1, 3), 3);

    // then
    List<dev.troupe.api.RunEvent> all = store.events(id(1), 0, Long.MAX_VALUE, 100);
    assertThat(all).extracting(dev.troupe.api.RunEvent::seq).containsExactly(1L, 2L, 3L, 4L, 5L);
    assertThat(all).extracting(dev.troupe.api.RunEvent::type)
        .containsExactly("status", "status", "message", "log", "result");
    assertThat(all.get(2).data()).isEqualTo(json("i", 1));
    assertThat(all.get(2).at()).isEqualTo(at(11));
    assertThat(all.get(4).data()).as("the terminal event's data is the run's row").isNull();
    assertThat(store.events(id(1), 2, 4, 100)).extracting(dev.troupe.api.RunEvent::seq)
        .containsExactly(3L, 4L);
    assertThat(store.events(id(1), 0, Long.MAX_VALUE, 2)).hasSize(2);
    assertThat(store.events(id(2), 0, Long.MAX_VALUE, 100)).isEmpty();
    assertThat(store.find(id(1)).orElseThrow().status()).isEqualTo(RunStatus.SUCCEEDED);
  }

  @Test
  void statusEventsLiveInTheRunsRowAndEmittedOnesInTheEventsTable() throws SQLException {
    // given a run that retried: statuses, messages and its end, over three entries
    List<Entry> entries = List.of(
        entry(accepted(id(1)), Fixtures.streamed(id(1), 1, "status", json("status", "QUEUED"), 0),
            started(id(1), 1, 1, 10), Fixtures.streamed(id(1), 2, "status",
                json("status", "RUNNING"), 10)),
        entry(Fixtures.streamed(id(1), 3, "message", json("i", 1), 11),
            Fixtures.streamed(id(1), 4, "status", json("status", "RETRYING"), 12),
            Fixtures.streamed(id(1), 5, "status", json("status", "RUNNING"), 13)),
        entry(Fixtures.streamed(id(1), 6, "message", json("i", 2), 14),
            Fixtures.streamed(id(1), 7, "error", null, 15),
            finished(id(1), RunStatus.FAILED, 15)));

    // when each entry comes in a batch of its own (each an UPDATE of the row after the first)
    for (int i = 0; i < entries.size(); i++) {
      store.applyAll(P, List.of(entries.get(i)), i + 1);
    }

    // then the events table holds only the emitted ones, and reading merges both in order
    assertThat(count("SELECT COUNT(*) FROM \"troupe_run_events\"")).isEqualTo(2);
    assertThat(store.events(id(1), 0, Long.MAX_VALUE, 100))
        .extracting(dev.troupe.api.RunEvent::type)
        .containsExactly("status", "status", "message", "status", "status", "message", "error");
    assertThat(store.events(id(1), 2, 6, 3)).extracting(dev.troupe.api.RunEvent::seq)
        .containsExactly(3L, 4L, 5L);
  }

  @Test
  void aRunWrittenBeforeItsRowKeptStatusEventsReadsAsBefore() throws SQLException {
    // given a run projected before troupe_runs had stream_events: every event in troupe_run_events
    store.applyAll(P, List.of(entry(accepted(id(1)))), 1);
    execute("INSERT INTO \"troupe_run_events\" (\"run_id\", \"first_seq\", \"last_seq\","
        + " \"events\") VALUES ('" + id(1) + "', 1, 2, '[{\"seq\":1,\"type\":\"status\","
        + "\"data\":{\"status\":\"QUEUED\"},\"at\":0},{\"seq\":2,\"type\":\"status\","
        + "\"data\":{\"status\":\"RUNNING\"},\"at\":10}]')");

    // when the rest of its stream comes after the upgrade
    store.applyAll(P, List.of(entry(Fixtures.streamed(id(1), 3, "message", json("i", 1), 11),
        Fixtures.streamed(id(1), 4, "result", null, 20),
        finished(id(1), RunStatus.SUCCEEDED, 20))), 2);

    // then
    assertThat(store.events(id(1), 0, Long.MAX_VALUE, 100))
        .extracting(dev.troupe.api.RunEvent::seq).containsExactly(1L, 2L, 3L, 4L);
  }

  private long count(String sql) throws SQLException {
    try (Connection c = DriverManager.getConnection(db.url(), db.user(), db.password());
        Statement st = c.createStatement();
        ResultSet rs = st.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  private void execute(String sql) throws SQLException {
    try (Connection c = DriverManager.getConnection(db.url(), db.user(), db.password());
        Statement st = c.createStatement()) {
      st.executeUpdate(sql);
    }
  }

  @Test
  void eventsOfRunsNotInTheHistoryAreIgnored() {
    // given a run accepted before its entity tagged its journal: only its later events are seen
    // when
    store.applyAll(P, List.of(entry(started(id(7), 1, 1, 10)),
        entry(finished(id(7), RunStatus.SUCCEEDED, 20))), 9);
    // then
    assertThat(store.find(id(7))).isEmpty();
    assertThat(store.offset(P)).isEqualTo(9);
  }

  @Test
  void pagesAreNewestFirstAndCursorsCoverEveryRunOnce() {
    // given 23 runs, two per millisecond, so that ties are broken by run id
    List<WorkerEvent> accepted = new ArrayList<>();
    for (int n = 1; n <= 23; n++) {
      accepted.add(acceptedAt(id(n), (n / 2) * 1000L));
    }
    store.applyAll(P, List.of(entry(accepted.toArray(WorkerEvent[]::new))), 1);
    // when
    List<RunResult> paged = allPages(RunQuery.first(5));
    // then
    assertThat(paged).hasSize(23).isSortedAccordingTo(NEWEST_FIRST);
    assertThat(new HashSet<>(paged.stream().map(RunResult::runId).toList())).hasSize(23);
    assertThat(paged.get(0).runId()).isEqualTo(id(23));
    assertThat(paged.get(22).runId()).isEqualTo(id(1));
    // a page that ends exactly at the last run has no next cursor
    assertThat(store.page(RunQuery.first(23)).nextCursor()).isNull();
    RunPage all22 = store.page(RunQuery.first(22));
    assertThat(all22.nextCursor()).isNotNull();
    RunPage rest = store.page(new RunQuery(null, null, 22, all22.nextCursor()));
    assertThat(rest.runs()).extracting(RunResult::runId).containsExactly(id(1));
    assertThat(rest.nextCursor()).isNull();
  }

  @Test
  void queriesFilterByWorkerAndStatus() {
    // given four runs of send-email and three of resize-image
    String r1 = runId(1, "resize-image");
    String r2 = runId(2, "resize-image");
    String r3 = runId(3, "resize-image");
    store.applyAll(P, List.of(
        entry(accepted(id(1), null, 0), accepted(id(2), null, 1), accepted(id(3), null, 2),
            accepted(id(4), null, 3)),
        entry(finished(id(1), RunStatus.SUCCEEDED, 10), finished(id(2), RunStatus.SUCCEEDED, 11),
            finished(id(3), RunStatus.FAILED, 12)),
        new Entry("worker|resize-image", 1, new WorkerEvent.Recorded(List.of(
            acceptedAt(r1, 4), acceptedAt(r2, 5), acceptedAt(r3, 6),
            finished(r1, RunStatus.SUCCEEDED, 20))))), 3);
    // then
    assertThat(allPages(new RunQuery("send-email", null, 2, null))).extracting(RunResult::runId)
        .containsExactly(id(4), id(3), id(2), id(1));
    assertThat(allPages(new RunQuery(null, RunStatus.SUCCEEDED, 2, null)))
        .extracting(RunResult::runId).containsExactly(r1, id(2), id(1));
    assertThat(allPages(new RunQuery("send-email", RunStatus.SUCCEEDED, 1, null)))
        .extracting(RunResult::runId).containsExactly(id(2), id(1));
    assertThat(allPages(new RunQuery("resize-image", RunStatus.QUEUED, 1, null)))
        .extracting(RunResult::runId).containsExactly(r3, r2);
    RunPage none = store.page(new RunQuery(null, RunStatus.RUNNING, 10, null));
    assertThat(none.runs()).isEmpty();
    assertThat(none.nextCursor()).isNull();
    assertThat(allPages(RunQuery.first(500))).hasSize(7).isSortedAccordingTo(NEWEST_FIRST);
  }

  @Test
  void queriesFilterByParent() {
    // given two children of run 1, the second one finished, and a run that is nobody's child
    RunSpec childOf1 = RunSpec.DEFAULT.withParent(id(1), 0, false);
    store.applyAll(P, List.of(
        entry(accepted(id(1), null, 0),
            new WorkerEvent.RunAccepted(id(2), json("n", 2), 0, null, List.of(), at(1), childOf1),
            new WorkerEvent.RunAccepted(id(3), json("n", 3), 0, null, List.of(), at(2), childOf1),
            accepted(id(4), null, 3)),
        entry(finished(id(3), RunStatus.SUCCEEDED, 10))), 2);
    // then
    assertThat(allPages(new RunQuery(null, null, 1, null, id(1)))).extracting(RunResult::runId)
        .containsExactly(id(3), id(2));
    assertThat(store.page(new RunQuery(null, RunStatus.SUCCEEDED, 10, null, id(1))).runs())
        .extracting(RunResult::parentRunId).containsExactly(id(1));
    assertThat(store.page(RunQuery.childrenOf(id(4), 10)).runs()).isEmpty();
  }

  @Test
  void queriesFilterByTagExactlyAndByCreationTime() {
    // given runs tagged "eu", "eu_west" (LIKE's wildcard), "100%" and one whose tag holds the
    // quoted text of "eu", each created a second after the previous one
    List<List<String>> tags = List.of(List.of("eu"), List.of("eu_west"), List.of("batch", "eu"),
        List.of(",\"eu"), List.of("100%"), List.of("eu"), List.of());
    List<WorkerEvent> accepted = new ArrayList<>();
    for (int n = 1; n <= tags.size(); n++) {
      accepted.add(new WorkerEvent.RunAccepted(id(n), json("n", n), 0, null,
          tags.get(n - 1), at(n * 1000L)));
    }
    store.applyAll(P, List.of(entry(accepted.toArray(WorkerEvent[]::new))), 1);

    // when filtered by tag, one run per page, then by tag and a time range
    List<RunResult> eu = allPages(new RunQuery(null, null, 1, null, null, "eu", null, null));
    List<RunResult> wildcard = allPages(new RunQuery(null, null, 5, null, null, "eu%", null, null));
    List<RunResult> percent = allPages(new RunQuery(null, null, 5, null, null, "100%", null, null));
    List<RunResult> ranged = allPages(new RunQuery("send-email", null, 5, null, null, "eu",
        at(2000), at(6000)));
    List<RunResult> inTime = allPages(new RunQuery(null, null, 2, null, null, null,
        at(5000), null));

    // then only runs carrying exactly that tag, newest first, within the range when given
    assertThat(eu).extracting(RunResult::runId).containsExactly(id(6), id(3), id(1));
    assertThat(wildcard).isEmpty();
    assertThat(percent).extracting(RunResult::runId).containsExactly(id(5));
    assertThat(ranged).extracting(RunResult::runId).containsExactly(id(3));
    assertThat(inTime).extracting(RunResult::runId).containsExactly(id(7), id(6), id(5));
  }

  @Test
  void aTimeRangeThatEndsBeforeItStartsIsRefused() {
    assertThatThrownBy(() -> new RunQuery(null, null, 10, null, null, null, at(5000), at(5000)))
        .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("from must be before to");
  }

  @Test
  void aMalformedCursorIsRefused() {
    Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
    for (String cursor : List.of("%%%", b64.encodeToString("no-colon".getBytes(StandardCharsets.UTF_8)),
        b64.encodeToString(":01JD".getBytes(StandardCharsets.UTF_8)),
        b64.encodeToString("12:".getBytes(StandardCharsets.UTF_8)),
        b64.encodeToString("-5:x".getBytes(StandardCharsets.UTF_8)))) {
      assertThatThrownBy(() -> store.page(new RunQuery(null, null, 10, cursor)))
          .as(cursor).isInstanceOf(InvalidArgumentException.class)
          .hasMessageContaining("cursor '" + cursor + "'");
    }
  }

  @Test
  void offsetsAreStoredWithTheirBatch() {
    assertThat(store.offset(P)).isZero();
    store.applyAll(P, List.of(entry(accepted(id(1)))), 17);
    assertThat(store.offset(P)).isEqualTo(17);
    store.applyAll(P, List.of(), 18);
    assertThat(store.offset(P)).isEqualTo(18);
    assertThat(store.offset("another")).isZero();
  }

  @Test
  void aBatchThatFailsWritesNothingNotEvenItsOffset() {
    // given
    store.applyAll(P, List.of(entry(accepted(id(1)))), 1);
    String tooLong = id(2) + "x".repeat(200);
    // when
    assertThatThrownBy(() -> store.applyAll(P, List.of(
        entry(finished(id(1), RunStatus.SUCCEEDED, 5), accepted(id(3)), accepted(tooLong))), 2))
        .isInstanceOf(RunHistoryStore.StoreException.class);
    // then
    assertThat(store.find(id(1)).orElseThrow().status()).isEqualTo(RunStatus.QUEUED);
    assertThat(store.find(id(3))).isEmpty();
    assertThat(store.offset(P)).isEqualTo(1);
  }

  @Test
  void eachBatchStoresTheLastSequenceNumberOfEachEntity() throws SQLException {
    // given a new entity: every entry from its first is expected
    assertThat(store.lastSeqNrs(P, List.of(PID))).containsEntry(PID, 0L);

    // when two entries of it are written
    store.applyAll(P, List.of(entry(accepted(id(1))), entry(started(id(1), 1, 1, 10))), 2);

    // then the second is its last; another projection knows nothing of it
    assertThat(store.lastSeqNrs(P, List.of(PID))).containsExactly(Map.entry(PID, 2L));
    execute("DELETE FROM \"troupe_projection_entities\"");
    assertThat(store.lastSeqNrs(P, List.of(PID)))
        .as("an entity whose runs were written before the history kept its continuity")
        .isEmpty();
  }

  @Test
  void parkedEntriesAreKeptWithTheirRunAndTheOffsetMovesOnPastThem() throws SQLException {
    // given
    store.applyAll(P, List.of(entry(accepted(id(1)))), 1);

    // when the next entry is set aside
    store.park(P, List.of(entry(finished(id(1), RunStatus.SUCCEEDED, 5))), 2, "refused\u0000");

    // then the offset and the entity's sequence number moved on, and the entry is kept
    assertThat(store.offset(P)).isEqualTo(2);
    assertThat(store.lastSeqNrs(P, List.of(PID))).containsExactly(Map.entry(PID, 2L));
    assertThat(store.find(id(1)).orElseThrow().status()).isEqualTo(RunStatus.QUEUED);
    try (Connection c = DriverManager.getConnection(db.url(), db.user(), db.password());
        Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT \"persistence_id\", \"sequence_nr\","
            + " \"run_id\", \"error\" FROM \"troupe_history_parked\"")) {
      assertThat(rs.next()).isTrue();
      assertThat(List.of(rs.getString(1), rs.getLong(2), rs.getString(3), rs.getString(4)))
          .containsExactly(PID, 2L, id(1), "refused ");
      assertThat(rs.next()).isFalse();
    }
  }

  @Test
  void entityIdsComeFromPersistenceIds() {
    assertThat(RunHistoryStore.entityIdOf("worker|send-email#3")).isEqualTo("send-email#3");
    assertThat(RunHistoryStore.entityIdOf("worker|")).isNull();
    assertThat(RunHistoryStore.entityIdOf("no-separator")).isNull();
  }
}
