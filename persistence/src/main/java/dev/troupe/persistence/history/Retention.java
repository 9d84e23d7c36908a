package dev.troupe.persistence.history;

import dev.troupe.persistence.RunHistoryStore.Purged;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * What retention deletes, each call a small batch: journal entries of worker entities that a
 * snapshot and the history both cover, and finished runs older than a cutoff with their stream
 * events. The statements are the same on H2 and PostgreSQL (quoted lower-case names).
 */
final class Retention {
  /**
   * Per worker entity the history follows: the last entry the history applied, the latest
   * snapshot's sequence number, and the lowest and highest sequence numbers in the journal.
   */
  private static final String ENTITIES = "SELECT e.\"persistence_id\", e.\"seq_nr\","
      + " (SELECT MAX(s.\"sequence_number\") FROM \"snapshot\" s"
      + "   WHERE s.\"persistence_id\" = e.\"persistence_id\"),"
      + " (SELECT MIN(j.\"sequence_number\") FROM \"event_journal\" j"
      + "   WHERE j.\"persistence_id\" = e.\"persistence_id\"),"
      + " (SELECT MAX(j.\"sequence_number\") FROM \"event_journal\" j"
      + "   WHERE j.\"persistence_id\" = e.\"persistence_id\")"
      + " FROM \"troupe_projection_entities\" e WHERE e.\"projection_name\" = ?"
      + " ORDER BY e.\"persistence_id\"";
  private static final String DELETE_ENTRIES = "DELETE FROM \"event_journal\""
      + " WHERE \"persistence_id\" = ? AND \"sequence_number\" >= ? AND \"sequence_number\" <= ?";

  private Retention() {}

  /**
   * Deletes at most {@code maxRows} journal entries, oldest first per entity, of the worker
   * entities that {@code projection} follows, each entity's only up to the lowest of: its latest
   * snapshot's sequence number (recovery starts there), the last entry the history applied of it
   * (nothing the history has not read is deleted) and its highest entry less one (the journal
   * keeps each entity's highest sequence number, as Pekko's own deletion does). An entity the
   * history has no position for, or without a snapshot, keeps everything. The bounds only ever
   * grow, so one read before the deletes that follow it is safe. Each entity's delete commits on
   * its own: a short statement, no long transaction over the journal.
   *
   * @return the entries deleted
   */
  static int purgeJournal(Connection c, String projection, int maxRows) throws SQLException {
    record Span(String pid, long from, long to) {}
    List<Span> spans = new ArrayList<>();
    try (PreparedStatement ps = c.prepareStatement(ENTITIES)) {
      ps.setString(1, projection);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          long applied = rs.getLong(2);
          long snapshot = rs.getLong(3);
          boolean hasSnapshot = !rs.wasNull();
          long lowest = rs.getLong(4);
          boolean hasEntries = !rs.wasNull();
          long highest = rs.getLong(5);
          long bound = Math.min(Math.min(applied, snapshot), highest - 1);
          if (hasSnapshot && hasEntries && bound >= lowest) {
            spans.add(new Span(rs.getString(1), lowest, bound));
          }
        }
      }
    }
    int deleted = 0;
    try (PreparedStatement ps = c.prepareStatement(DELETE_ENTRIES)) {
      for (Span s : spans) {
        if (deleted >= maxRows) {
          break;
        }
        // sequence numbers have no holes: this deletes at most maxRows - deleted entries
        ps.setString(1, s.pid());
        ps.setLong(2, s.from());
        ps.setLong(3, Math.min(s.to(), s.from() + (maxRows - deleted) - 1));
        deleted += ps.executeUpdate();
      }
    }
    return deleted;
  }

  /**
   * Deletes at most {@code maxRuns} runs that finished before {@code cutoff}, oldest first, with
   * their stored stream events, in one transaction. Runs not finished are never deleted.
   */
  static Purged purgeRuns(Connection c, Instant cutoff, int maxRuns) throws SQLException {
    List<String> ids = new ArrayList<>();
    try (PreparedStatement ps = c.prepareStatement("SELECT \"run_id\" FROM \"troupe_runs\""
        + " WHERE \"finished_at\" < ? ORDER BY \"finished_at\" LIMIT ?")) {
      ps.setObject(1, SqlValues.utc(cutoff));
      ps.setInt(2, maxRuns);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          ids.add(rs.getString(1));
        }
      }
    }
    if (ids.isEmpty()) {
      return new Purged(0, 0);
    }
    String in = " IN (" + String.join(", ", Collections.nCopies(ids.size(), "?")) + ")";
    c.setAutoCommit(false);
    try {
      int events;
      try (PreparedStatement ps = c.prepareStatement(
          "DELETE FROM \"troupe_run_events\" WHERE \"run_id\"" + in)) {
        bind(ps, ids, 1);
        events = ps.executeUpdate();
      }
      int runs;
      try (PreparedStatement ps = c.prepareStatement("DELETE FROM \"troupe_runs\""
          + " WHERE \"finished_at\" < ? AND \"run_id\"" + in)) {
        ps.setObject(1, SqlValues.utc(cutoff));
        bind(ps, ids, 2);
        runs = ps.executeUpdate();
      }
      c.commit();
      return new Purged(runs, events);
    } catch (SQLException | RuntimeException e) {
      c.rollback();
      throw e;
    }
  }

  private static void bind(PreparedStatement ps, List<String> ids, int first)
      throws SQLException {
    for (int i = 0; i < ids.size(); i++) {
      ps.setString(first + i, ids.get(i));
    }
  }

  /** The ids of the runs that re-run {@code runId}, oldest first, at most {@code limit}. */
  static List<String> rerunsOf(Connection c, String runId, int limit) throws SQLException {
    List<String> ids = new ArrayList<>();
    try (PreparedStatement ps = c.prepareStatement("SELECT \"run_id\" FROM \"troupe_runs\""
        + " WHERE \"rerun_of\" = ? ORDER BY \"created_at\", \"run_id\" LIMIT ?")) {
      ps.setString(1, runId);
      ps.setInt(2, limit);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          ids.add(rs.getString(1));
        }
      }
    }
    return ids;
  }
}
