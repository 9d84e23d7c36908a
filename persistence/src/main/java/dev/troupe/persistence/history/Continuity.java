package dev.troupe.persistence.history;

import dev.troupe.persistence.RunHistoryStore;
import dev.troupe.persistence.RunHistoryStore.Entry;
import dev.troupe.persistence.WorkerEvent;
import dev.troupe.persistence.WorkerEvents;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The history's continuity per worker entity ({@code troupe_projection_entities}): the sequence
 * number of the last journal entry of each entity that the history has applied, written in the
 * transaction of each batch; and the entries set aside as poison ({@code troupe_history_parked}).
 */
final class Continuity {
  private static final int IN_CHUNK = 100;

  private Continuity() {}

  /** The last applied sequence number of every entity {@code projection} keeps one for. */
  static Map<String, Long> lastSeqNrs(Connection c, String projection) throws SQLException {
    Map<String, Long> known = new HashMap<>();
    try (PreparedStatement ps = c.prepareStatement("SELECT \"persistence_id\", \"seq_nr\""
        + " FROM \"troupe_projection_entities\" WHERE \"projection_name\" = ?")) {
      ps.setString(1, projection);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          known.put(rs.getString(1), rs.getLong(2));
        }
      }
    }
    return known;
  }

  /**
   * The last applied sequence number of each of {@code persistenceIds} that has one; 0 for one
   * that has none and whose entity has no run in the history (a new entity: every entry from the
   * first is expected); none for one without a number whose entity has runs (written before the
   * history kept its continuity: it is known from its next batch on).
   */
  static Map<String, Long> lastSeqNrs(Connection c, String projection,
      Collection<String> persistenceIds) throws SQLException {
    Map<String, Long> known = new HashMap<>();
    List<String> ids = new ArrayList<>(persistenceIds);
    for (int from = 0; from < ids.size(); from += IN_CHUNK) {
      List<String> chunk = ids.subList(from, Math.min(ids.size(), from + IN_CHUNK));
      try (PreparedStatement ps = c.prepareStatement("SELECT \"persistence_id\", \"seq_nr\""
          + " FROM \"troupe_projection_entities\" WHERE \"projection_name\" = ? AND"
          + " \"persistence_id\" IN (" + String.join(", ", Collections.nCopies(chunk.size(), "?"))
          + ")")) {
        ps.setString(1, projection);
        for (int i = 0; i < chunk.size(); i++) {
          ps.setString(i + 2, chunk.get(i));
        }
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            known.put(rs.getString(1), rs.getLong(2));
          }
        }
      }
    }
    for (String pid : ids) {
      if (!known.containsKey(pid) && !hasRuns(c, RunHistoryStore.entityIdOf(pid))) {
        known.put(pid, 0L);
      }
    }
    return known;
  }

  private static boolean hasRuns(Connection c, String entityId) throws SQLException {
    if (entityId == null) {
      return false;
    }
    try (PreparedStatement ps = c.prepareStatement(
        "SELECT 1 FROM \"troupe_runs\" WHERE \"entity_id\" = ? FETCH FIRST 1 ROWS ONLY")) {
      ps.setString(1, entityId);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next();
      }
    }
  }

  /** Records the highest sequence number of each entity among {@code entries}. */
  static void store(Connection c, String projection, List<Entry> entries) throws SQLException {
    Map<String, Long> highest = new LinkedHashMap<>();
    for (Entry e : entries) {
      highest.merge(e.persistenceId(), e.sequenceNr(), Math::max);
    }
    List<String> absent = new ArrayList<>();
    try (PreparedStatement up = c.prepareStatement("UPDATE \"troupe_projection_entities\""
        + " SET \"seq_nr\" = ? WHERE \"projection_name\" = ? AND \"persistence_id\" = ?"
        + " AND \"seq_nr\" < ?")) {
      for (Map.Entry<String, Long> h : highest.entrySet()) {
        up.setLong(1, h.getValue());
        up.setString(2, projection);
        up.setString(3, h.getKey());
        up.setLong(4, h.getValue());
        if (up.executeUpdate() == 0 && !exists(c, projection, h.getKey())) {
          absent.add(h.getKey());
        }
      }
    }
    if (absent.isEmpty()) {
      return;
    }
    try (PreparedStatement in = c.prepareStatement("INSERT INTO \"troupe_projection_entities\""
        + " (\"projection_name\", \"persistence_id\", \"seq_nr\") VALUES (?, ?, ?)")) {
      for (String pid : absent) {
        in.setString(1, projection);
        in.setString(2, pid);
        in.setLong(3, highest.get(pid));
        in.addBatch();
      }
      in.executeBatch();
    }
  }

  private static boolean exists(Connection c, String projection, String pid) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM \"troupe_projection_entities\""
        + " WHERE \"projection_name\" = ? AND \"persistence_id\" = ?")) {
      ps.setString(1, projection);
      ps.setString(2, pid);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next();
      }
    }
  }

  /** Sets {@code entries} aside with {@code error}: one row each, kept for operators. */
  static void park(Connection c, String projection, List<Entry> entries, String error)
      throws SQLException {
    try (PreparedStatement in = c.prepareStatement("INSERT INTO \"troupe_history_parked\""
        + " (\"projection_name\", \"persistence_id\", \"sequence_nr\", \"run_id\", \"error\","
        + " \"parked_at\") VALUES (?, ?, ?, ?, ?, ?)")) {
      for (Entry e : entries) {
        in.setString(1, projection);
        in.setString(2, e.persistenceId());
        in.setLong(3, e.sequenceNr());
        String runId = WorkerEvents.runIdOrNull(e.event());
        in.setString(4, runId == null || runId.length() <= 128 ? runId : runId.substring(0, 128));
        in.setString(5, error.replace('\u0000', ' '));
        in.setObject(6, SqlValues.utc(Instant.now()));
        in.addBatch();
      }
      in.executeBatch();
    }
  }

}
