package dev.troupe.persistence.history;

import dev.troupe.persistence.RunHistoryStore.Entry;
import dev.troupe.persistence.WorkerEvent;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Writes one batch of journal entries and the projection's offset in the caller's transaction:
 * reads the rows the batch changes (at most {@value #IN_CHUNK} per statement), folds the batch
 * into them ({@link BatchFold}), and writes them with three JDBC batches at most.
 */
final class BatchWriter {
  private static final int IN_CHUNK = 100;
  private static final String INSERT_EVENTS = "INSERT INTO \"troupe_run_events\" (\"run_id\","
      + " \"first_seq\", \"last_seq\", \"events\") VALUES (?, ?, ?, ?)";

  private BatchWriter() {}

  /**
   * Writes {@code entries} and {@code newOffset} on {@code c} and commits. With {@code readAll}
   * off, the runs accepted in {@code entries} are taken to have no row yet and are not read; a
   * row that exists nevertheless fails the insert (a unique violation) and nothing is committed.
   */
  static void write(Connection c, String projection, List<Entry> entries, long newOffset,
      boolean readAll) throws SQLException {
    Map<String, HistoryRow> rows = read(c, BatchFold.runIdsToRead(entries, readAll));
    BatchFold.fold(rows, entries);
    write(c, rows.values());
    storeOffset(c, projection, newOffset);
    Continuity.store(c, projection, entries);
    c.commit();
  }

  /** Sets {@code entries} aside as poison and stores {@code newOffset}; commits. */
  static void park(Connection c, String projection, List<Entry> entries, long newOffset,
      String error) throws SQLException {
    Continuity.park(c, projection, entries, error);
    storeOffset(c, projection, newOffset);
    Continuity.store(c, projection, entries);
    c.commit();
  }

  /** The rows of {@code runIds} that exist already. */
  private static Map<String, HistoryRow> read(Connection c, Set<String> runIds)
      throws SQLException {
    Map<String, HistoryRow> rows = new LinkedHashMap<>();
    List<String> ids = new ArrayList<>(runIds);
    for (int from = 0; from < ids.size(); from += IN_CHUNK) {
      List<String> chunk = ids.subList(from, Math.min(ids.size(), from + IN_CHUNK));
      String sql = "SELECT " + HistoryRow.STATE_COLUMNS + " FROM \"troupe_runs\" WHERE"
          + " \"run_id\" IN (" + String.join(", ", Collections.nCopies(chunk.size(), "?")) + ")";
      try (PreparedStatement ps = c.prepareStatement(sql)) {
        for (int i = 0; i < chunk.size(); i++) {
          ps.setString(i + 1, chunk.get(i));
        }
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            HistoryRow r = HistoryRow.readState(rs);
            rows.put(r.runId(), r);
          }
        }
      }
    }
    return rows;
  }

  /**
   * Inserts new rows and updates changed ones, each kind as one JDBC batch, and the runs' new
   * stream events as a third: one row per run and run of consecutive sequence numbers.
   */
  private static void write(Connection c, Iterable<HistoryRow> rows) throws SQLException {
    try (PreparedStatement insert = c.prepareStatement(HistoryRow.INSERT);
        PreparedStatement update = c.prepareStatement(HistoryRow.UPDATE);
        PreparedStatement events = c.prepareStatement(INSERT_EVENTS)) {
      int inserts = 0;
      int updates = 0;
      int chunks = 0;
      for (HistoryRow r : rows) {
        for (List<WorkerEvent.RunStreamed> chunk : StreamEventsJson.consecutive(r.streamed)) {
          events.setString(1, r.runId());
          events.setLong(2, chunk.get(0).seq());
          events.setLong(3, chunk.get(chunk.size() - 1).seq());
          events.setString(4, StreamEventsJson.write(chunk));
          events.addBatch();
          chunks++;
        }
        if (r.isNew) {
          r.bindInsert(insert);
          insert.addBatch();
          inserts++;
        } else if (r.dirty) {
          r.bindUpdate(update);
          update.addBatch();
          updates++;
        }
      }
      if (inserts > 0) {
        insert.executeBatch();
      }
      if (updates > 0) {
        update.executeBatch();
      }
      if (chunks > 0) {
        events.executeBatch();
      }
    }
  }

  private static void storeOffset(Connection c, String projection, long offset)
      throws SQLException {
    LocalDateTime now = SqlValues.utc(Instant.now());
    try (PreparedStatement up = c.prepareStatement("UPDATE \"troupe_projection_offsets\""
        + " SET \"offset_value\" = ?, \"updated_at\" = ? WHERE \"projection_name\" = ?")) {
      up.setLong(1, offset);
      up.setObject(2, now);
      up.setString(3, projection);
      if (up.executeUpdate() > 0) {
        return;
      }
    }
    try (PreparedStatement in = c.prepareStatement("INSERT INTO \"troupe_projection_offsets\""
        + " (\"projection_name\", \"offset_value\", \"updated_at\") VALUES (?, ?, ?)")) {
      in.setString(1, projection);
      in.setLong(2, offset);
      in.setObject(3, now);
      in.executeUpdate();
    }
  }
}
