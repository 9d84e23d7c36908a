package dev.troupe.persistence;

import static dev.troupe.persistence.Fixtures.accepted;
import static dev.troupe.persistence.Fixtures.at;
import static dev.troupe.persistence.Fixtures.finished;
import static dev.troupe.persistence.Fixtures.id;
import static dev.troupe.persistence.Fixtures.json;
import static dev.troupe.persistence.Fixtures.started;
import static dev.troupe.persistence.Fixtures.streamed;
import static org.assertj.core.api.Assertions.assertThat;

import dev.troupe.api.RunEvent;
import dev.troupe.api.RunStatus;
import dev.troupe.persistence.RunHistoryStore.Entry;
import dev.troupe.persistence.RunHistoryStore.Purged;
import dev.troupe.persistence.history.JdbcRunHistoryStore;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What retention guarantees on every supported database: a worker entity's journal entries are
 * deleted only up to its latest snapshot, the history's position for it and its highest entry
 * less one, however far the history lags; entities the history does not follow, and other
 * persistent actors, keep theirs; finished runs older than the cutoff go with their stream
 * events, in batches, and no unfinished run goes. The journal rows are written as the journal
 * writes them (with their tags), the history's position by the store itself.
 */
abstract class RetentionContract {
  private static final String PID = "worker|send-email";
  private static final String P = RunHistory.PROJECTION;

  private DatabaseSettings db;
  private RunHistoryStore store;

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

  private Connection connect() throws SQLException {
    return DriverManager.getConnection(db.url(), db.user(), db.password());
  }

  /** Journal entries {@code from}..{@code to} of {@code pid}, each tagged as the entities tag. */
  private void journal(String pid, long from, long to) throws SQLException {
    try (Connection c = connect();
        PreparedStatement in = c.prepareStatement("INSERT INTO \"event_journal\""
            + " (\"persistence_id\", \"sequence_number\", \"writer\", \"write_timestamp\","
            + " \"adapter_manifest\", \"event_payload\", \"event_ser_id\", \"event_ser_manifest\")"
            + " VALUES (?, ?, 'test', 0, '', ?, 1, '')");
        PreparedStatement tag = c.prepareStatement("INSERT INTO \"event_tag\" (\"event_id\","
            + " \"tag\") SELECT \"ordering\", ? FROM \"event_journal\" WHERE \"persistence_id\" = ?"
            + " AND \"sequence_number\" = ?")) {
      for (long s = from; s <= to; s++) {
        in.setString(1, pid);
        in.setLong(2, s);
        in.setBytes(3, new byte[] {1, 2, 3});
        in.executeUpdate();
        tag.setString(1, RunHistory.TAG);
        tag.setString(2, pid);
        tag.setLong(3, s);
        tag.executeUpdate();
      }
    }
  }

  private void snapshot(String pid, long seqNr) throws SQLException {
    try (Connection c = connect();
        PreparedStatement in = c.prepareStatement("INSERT INTO \"snapshot\" (\"persistence_id\","
            + " \"sequence_number\", \"created\", \"snapshot_ser_id\", \"snapshot_ser_manifest\","
            + " \"snapshot_payload\") VALUES (?, ?, 0, 1, '', ?)")) {
      in.setString(1, pid);
      in.setLong(2, seqNr);
      in.setBytes(3, new byte[] {1});
      in.executeUpdate();
    }
  }

  /** The history applies entries {@code from}..{@code to} of {@code pid} (a run accepted each). */
  private void historyApplies(String pid, long from, long to) {
    List<Entry> entries = new ArrayList<>();
    for (long s = from; s <= to; s++) {
      entries.add(new Entry(pid, s, accepted(id((int) s), null, s)));
    }
    store.applyAll(P, entries, to);
  }

  private List<Long> sequenceNumbers(String pid) throws SQLException {
    List<Long> out = new ArrayList<>();
    try (Connection c = connect();
        PreparedStatement ps = c.prepareStatement("SELECT \"sequence_number\" FROM"
            + " \"event_journal\" WHERE \"persistence_id\" = ? ORDER BY \"sequence_number\"")) {
      ps.setString(1, pid);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(rs.getLong(1));
        }
      }
    }
    return out;
  }

  private long count(String table) throws SQLException {
    try (Connection c = connect();
        ResultSet rs = c.createStatement().executeQuery("SELECT COUNT(*) FROM \"" + table + "\"")) {
      rs.next();
      return rs.getLong(1);
    }
  }

  private static List<Long> range(long from, long to) {
    List<Long> out = new ArrayList<>();
    for (long s = from; s <= to; s++) {
      out.add(s);
    }
    return out;
  }

  @Test
  void entriesAreDeletedUpToTheLatestSnapshotOnceTheHistoryAppliedThem() throws SQLException {
    // given 20 entries, snapshots after 10 and 15, all applied by the history
    journal(PID, 1, 20);
    snapshot(PID, 10);
    snapshot(PID, 15);
    historyApplies(PID, 1, 20);

    // when retention runs
    int deleted = store.purgeJournal(P, 1000);

    // then the entries up to the latest snapshot are gone, with their tags, and no more
    assertThat(deleted).isEqualTo(15);
    assertThat(sequenceNumbers(PID)).isEqualTo(range(16, 20));
    assertThat(count("event_tag")).isEqualTo(5);
    assertThat(store.purgeJournal(P, 1000)).isZero();
  }

  @Test
  void whileTheHistoryLagsNothingBeyondItsPositionIsDeleted() throws SQLException {
    // given 20 entries and a snapshot after 15, of which the history applied 8 so far
    journal(PID, 1, 20);
    snapshot(PID, 15);
    historyApplies(PID, 1, 8);

    // when retention runs, twice
    int deleted = store.purgeJournal(P, 1000) + store.purgeJournal(P, 1000);

    // then only what the history applied is gone
    assertThat(deleted).isEqualTo(8);
    assertThat(sequenceNumbers(PID)).isEqualTo(range(9, 20));

    // and once the history caught up, the rest up to the snapshot goes
    historyApplies(PID, 9, 20);
    assertThat(store.purgeJournal(P, 1000)).isEqualTo(7);
    assertThat(sequenceNumbers(PID)).isEqualTo(range(16, 20));
  }

  @Test
  void anEntityWithoutSnapshotOrUnseenByTheHistoryKeepsEveryEntry() throws SQLException {
    // given an entity without snapshot the history applied, one with snapshots the history never
    // saw, and a schedule's journal with a snapshot
    journal(PID, 1, 10);
    historyApplies(PID, 1, 10);
    journal("worker|resize-image", 1, 10);
    snapshot("worker|resize-image", 10);
    journal("schedule|nightly", 1, 10);
    snapshot("schedule|nightly", 10);

    // when retention runs
    int deleted = store.purgeJournal(P, 1000);

    // then nothing is deleted
    assertThat(deleted).isZero();
    assertThat(count("event_journal")).isEqualTo(30);
  }

  @Test
  void anEntitysHighestEntryIsKept() throws SQLException {
    // given a snapshot at the last entry, which the history applied
    journal(PID, 1, 12);
    snapshot(PID, 12);
    historyApplies(PID, 1, 12);

    // when retention runs
    store.purgeJournal(P, 1000);

    // then the highest entry stays: the journal still knows the entity's sequence number
    assertThat(sequenceNumbers(PID)).containsExactly(12L);
  }

  @Test
  void eachCallDeletesAtMostItsBatchOldestFirst() throws SQLException {
    // given two entities with 10 deletable entries each
    journal(PID, 1, 11);
    snapshot(PID, 10);
    historyApplies(PID, 1, 11);
    String other = "worker|resize-image";
    journal(other, 1, 11);
    snapshot(other, 10);
    List<Entry> others = new ArrayList<>();
    for (long s = 1; s <= 11; s++) {
      others.add(new Entry(other, s, accepted(id(100 + (int) s), null, s)));
    }
    store.applyAll(P, others, 100);

    // when retention runs in batches of 4
    List<Integer> batches = new ArrayList<>();
    int n;
    do {
      n = store.purgeJournal(P, 4);
      batches.add(n);
    } while (n == 4);

    // then each batch deleted at most 4, and together all 20
    assertThat(batches).containsExactly(4, 4, 4, 4, 4, 0);
    assertThat(sequenceNumbers(PID)).containsExactly(11L);
    assertThat(sequenceNumbers(other)).containsExactly(11L);
  }

  @Test
  void finishedRunsOlderThanTheCutoffGoWithTheirStreamsInBatches() throws SQLException {
    // given runs 1-5 finished at 1s..5s (each with an emitted event), run 6 still running since 0
    List<Entry> entries = new ArrayList<>();
    long seq = 0;
    for (int n = 1; n <= 6; n++) {
      entries.add(new Entry(PID, ++seq, accepted(id(n), null, 0)));
      entries.add(new Entry(PID, ++seq, started(id(n), 1, n, 10)));
      entries.add(new Entry(PID, ++seq, streamed(id(n), 1, RunEvent.MESSAGE, json("n", n), 20)));
      if (n <= 5) {
        entries.add(new Entry(PID, ++seq, finished(id(n), RunStatus.SUCCEEDED, n * 1000L)));
      }
    }
    store.applyAll(P, entries, seq);
    assertThat(count("troupe_run_events")).isEqualTo(6);

    // when runs that finished before 3.5s are purged in batches of 2
    Purged first = store.purgeRuns(at(3500), 2);
    Purged second = store.purgeRuns(at(3500), 2);
    Purged third = store.purgeRuns(at(3500), 2);

    // then runs 1-3 are gone with their events, oldest first; 4, 5 and the running 6 stay
    assertThat(first).isEqualTo(new Purged(2, 2));
    assertThat(second).isEqualTo(new Purged(1, 1));
    assertThat(third).isEqualTo(new Purged(0, 0));
    assertThat(store.find(id(1))).isEmpty();
    assertThat(store.find(id(3))).isEmpty();
    assertThat(store.find(id(4))).map(r -> r.status()).contains(RunStatus.SUCCEEDED);
    assertThat(store.events(id(4), 0, Long.MAX_VALUE, 10)).extracting(RunEvent::type)
        .contains(RunEvent.MESSAGE);
    assertThat(store.find(id(6))).map(r -> r.status()).contains(RunStatus.RUNNING);
    assertThat(count("troupe_run_events")).isEqualTo(3);
  }

  @Test
  void reRunsAreFoundByTheRunTheyReRun() {
    // given run 1, and runs 2 and 3 that re-run it
    store.applyAll(P, List.of(
        new Entry(PID, 1, accepted(id(1), null, 0)),
        new Entry(PID, 2, accepted(id(2), 10, RunSpec.DEFAULT.withRerunOf(id(1)))),
        new Entry(PID, 3, accepted(id(3), 20, RunSpec.DEFAULT.withRerunOf(id(1))))), 3);

    // when its re-runs are read
    List<String> reruns = store.rerunsOf(id(1), 10);

    // then both are found, oldest first, and none of the others
    assertThat(reruns).containsExactly(id(2), id(3));
    assertThat(store.rerunsOf(id(2), 10)).isEmpty();
    assertThat(store.rerunsOf(id(1), 1)).containsExactly(id(2));
  }
}
