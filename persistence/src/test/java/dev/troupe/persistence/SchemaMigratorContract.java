package dev.troupe.persistence;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.flywaydb.core.api.output.MigrateResult;
import org.junit.jupiter.api.Test;

/**
 * What {@link SchemaMigrator} guarantees on every supported database: the tables that
 * pekko-persistence-jdbc 1.1 reads and writes, created once, and a second start that changes
 * nothing. Subclasses give a fresh, empty database for each test.
 */
abstract class SchemaMigratorContract {

  /** A fresh, empty database (or schema) for the current test. */
  protected abstract DatabaseSettings database();

  /** The schema version of this database once migrated: its number of migrations. */
  protected abstract int schemaVersion();

  protected Connection connect() throws SQLException {
    DatabaseSettings db = database();
    return DriverManager.getConnection(db.url(), db.user(), db.password());
  }

  private List<String> columns(Connection c, String table) throws SQLException {
    List<String> out = new ArrayList<>();
    DatabaseMetaData md = c.getMetaData();
    try (ResultSet rs = md.getColumns(c.getCatalog(), c.getSchema(), table, null)) {
      while (rs.next()) {
        out.add(rs.getString("COLUMN_NAME"));
      }
    }
    return out;
  }

  private List<String> tables(Connection c) throws SQLException {
    List<String> out = new ArrayList<>();
    try (ResultSet rs = c.getMetaData().getTables(c.getCatalog(), c.getSchema(), "%",
        new String[] {"TABLE"})) {
      while (rs.next()) {
        out.add(rs.getString("TABLE_NAME"));
      }
    }
    return out;
  }

  static long count(Connection c, String table) throws SQLException {
    try (Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT COUNT(*) FROM \"" + table + "\"")) {
      rs.next();
      return rs.getLong(1);
    }
  }

  @Test
  void migrateCreatesTheJournalTagSnapshotRunHistoryAndRunEventsTables() throws SQLException {
    // given
    try (Connection c = connect()) {
      assertThat(tables(c)).doesNotContain("event_journal", "event_tag", "snapshot");
    }

    // when
    MigrateResult result = SchemaMigrator.migrate(database());

    // then
    assertThat(result.success).isTrue();
    assertThat(result.migrationsExecuted).isEqualTo(schemaVersion());
    assertThat(result.targetSchemaVersion).isEqualTo(String.valueOf(schemaVersion()));
    try (Connection c = connect()) {
      assertThat(tables(c)).contains("event_journal", "event_tag", "snapshot",
          "troupe_schema_history", "troupe_runs", "troupe_projection_offsets",
          "troupe_run_events", "troupe_projection_entities", "troupe_history_parked");
      assertThat(columns(c, "event_journal")).containsExactlyInAnyOrder("ordering", "deleted",
          "persistence_id", "sequence_number", "writer", "write_timestamp", "adapter_manifest",
          "event_payload", "event_ser_id", "event_ser_manifest", "meta_payload", "meta_ser_id",
          "meta_ser_manifest");
      assertThat(columns(c, "event_tag")).containsExactlyInAnyOrder("event_id", "tag");
      assertThat(columns(c, "snapshot")).containsExactlyInAnyOrder("persistence_id",
          "sequence_number", "created", "snapshot_ser_id", "snapshot_ser_manifest",
          "snapshot_payload", "meta_ser_id", "meta_ser_manifest", "meta_payload");
      assertThat(count(c, "event_journal")).isZero();
      assertThat(count(c, "event_tag")).isZero();
      assertThat(count(c, "snapshot")).isZero();
      assertThat(columns(c, "troupe_runs")).containsExactlyInAnyOrder("run_id", "worker",
          "entity_id", "status", "attempts", "created_at", "started_at", "finished_at",
          "duration_ms", "payload", "result", "error_code", "error_message", "tags",
          "last_seq_nr", "stream_events", "error_label", "spec", "parent_run_id", "rerun_of");
      assertThat(columns(c, "troupe_projection_offsets")).containsExactlyInAnyOrder(
          "projection_name", "offset_value", "updated_at");
      assertThat(columns(c, "troupe_run_events")).containsExactlyInAnyOrder("run_id",
          "first_seq", "last_seq", "events");
      assertThat(count(c, "troupe_runs")).isZero();
    }
  }

  @Test
  void secondMigrateIsANoOp() throws SQLException {
    // given
    SchemaMigrator.migrate(database());
    long historyRows;
    try (Connection c = connect()) {
      insertEvent(c, "worker|send-email", 1, "run");
      historyRows = count(c, "troupe_schema_history");
    }

    // when
    MigrateResult again = SchemaMigrator.migrate(database());

    // then
    assertThat(again.success).isTrue();
    assertThat(again.migrationsExecuted).isZero();
    try (Connection c = connect()) {
      assertThat(count(c, "event_journal")).isEqualTo(1);
      assertThat(count(c, "event_tag")).isEqualTo(1);
      assertThat(count(c, "troupe_schema_history")).isEqualTo(historyRows);
    }
  }

  @Test
  void createdTablesTakeWhatTheJournalPluginWrites() throws SQLException {
    // given
    SchemaMigrator.migrate(database());

    // when
    try (Connection c = connect()) {
      long first = insertEvent(c, "worker|send-email", 1, "run");
      long second = insertEvent(c, "worker|send-email", 2, "run");
      insertSnapshot(c, "worker|send-email", 2);

      // then: ordering is generated and grows, events of one entity are unique by sequence nr
      assertThat(second).isGreaterThan(first);
      assertThatThrownBy(() -> insertEvent(c, "worker|send-email", 2, "run"))
          .isInstanceOf(SQLException.class);
      assertThat(count(c, "event_journal")).isEqualTo(2);
      assertThat(count(c, "snapshot")).isEqualTo(1);
      try (Statement st = c.createStatement()) {
        st.executeUpdate("DELETE FROM \"event_journal\" WHERE \"ordering\" = " + first);
      }
      assertThat(count(c, "event_tag")).as("tags are deleted with their event").isEqualTo(1);
    }
  }

  /** Inserts one journal row and its tag, like pekko-persistence-jdbc; returns its ordering. */
  static long insertEvent(Connection c, String pid, long seqNr, String tag)
      throws SQLException {
    long ordering;
    try (PreparedStatement ps = c.prepareStatement("INSERT INTO \"event_journal\" ("
        + "\"deleted\", \"persistence_id\", \"sequence_number\", \"writer\", "
        + "\"write_timestamp\", \"adapter_manifest\", \"event_payload\", \"event_ser_id\", "
        + "\"event_ser_manifest\") VALUES (false, ?, ?, 'w-1', 1795000000000, '', ?, 33, "
        + "'dev.troupe.persistence.WorkerEvent$RunAccepted')", new String[] {"ordering"})) {
      ps.setString(1, pid);
      ps.setLong(2, seqNr);
      ps.setBytes(3, "{\"type\":\"accepted\"}".getBytes(java.nio.charset.StandardCharsets.UTF_8));
      ps.executeUpdate();
      try (ResultSet keys = ps.getGeneratedKeys()) {
        keys.next();
        ordering = keys.getLong(1);
      }
    }
    try (PreparedStatement ps = c.prepareStatement(
        "INSERT INTO \"event_tag\" (\"event_id\", \"tag\") VALUES (?, ?)")) {
      ps.setLong(1, ordering);
      ps.setString(2, tag);
      ps.executeUpdate();
    }
    return ordering;
  }

  private static void insertSnapshot(Connection c, String pid, long seqNr) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("INSERT INTO \"snapshot\" ("
        + "\"persistence_id\", \"sequence_number\", \"created\", \"snapshot_ser_id\", "
        + "\"snapshot_ser_manifest\", \"snapshot_payload\") VALUES (?, ?, 1795000000000, 33, "
        + "'dev.troupe.persistence.WorkerState', ?)")) {
      ps.setString(1, pid);
      ps.setLong(2, seqNr);
      ps.setBytes(3, "{}".getBytes(java.nio.charset.StandardCharsets.UTF_8));
      ps.executeUpdate();
    }
  }
}
