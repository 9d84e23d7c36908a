package dev.troupe.persistence;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The schema on an embedded H2 file database in a fresh temporary directory. */
class H2SchemaMigratorTest extends SchemaMigratorContract {
  @TempDir
  Path dir;

  private static final int ROWS = 300;

  private DatabaseSettings db;

  @BeforeEach
  void freshDatabase() {
    db = new DatabaseSettings("jdbc:h2:file:" + dir.toAbsolutePath().resolve("troupe")
        + ";DB_CLOSE_ON_EXIT=FALSE", "sa", "", 2);
  }

  @Override
  protected DatabaseSettings database() {
    return db;
  }

  @Override
  protected int schemaVersion() {
    return 9;
  }

  @Test
  void version5KeysAJournalWrittenBeforeItByOrderingAndKeepsEveryRowAndTag() throws SQLException {
    // given: a journal of schema version 4, large enough for H2 to scan event_tag in its plan,
    // whose last row was deleted
    SchemaMigrator.migrate(db, "4");
    List<Long> kept = new ArrayList<>();
    try (Connection c = connect()) {
      for (int seq = 1; seq < ROWS; seq++) {
        kept.add(insertEvent(c, "worker|send-email", seq, "run"));
      }
      long deleted = insertEvent(c, "worker|send-email", ROWS, "run");
      try (Statement st = c.createStatement()) {
        st.executeUpdate("DELETE FROM \"event_journal\" WHERE \"ordering\" = " + deleted);
      }
      assertThat(plan(c)).contains("event_tag.tableScan");
    }

    // when
    SchemaMigrator.migrate(db);

    // then: rows and tags kept with their orderings, no ordering given out twice
    try (Connection c = connect()) {
      assertThat(orderings(c, "SELECT \"ordering\" FROM \"event_journal\" ORDER BY 1"))
          .isEqualTo(kept);
      assertThat(orderings(c, "SELECT \"event_id\" FROM \"event_tag\" ORDER BY 1"))
          .isEqualTo(kept);
      assertThat(plan(c)).as("the run history's poll reads new rows by key range")
          .contains("PRIMARY_KEY").doesNotContain("tableScan");
      long next = insertEvent(c, "worker|send-email", ROWS, "run");
      assertThat(next).isGreaterThan(kept.get(kept.size() - 1) + 1);
      assertThatThrownBy(() -> insertEvent(c, "worker|send-email", 2, "run"))
          .isInstanceOf(SQLException.class);
      try (Statement st = c.createStatement()) {
        st.executeUpdate("DELETE FROM \"event_journal\" WHERE \"ordering\" = " + kept.get(0));
      }
      assertThat(count(c, "event_tag")).as("tags are deleted with their event").isEqualTo(ROWS - 1);
    }
  }

  private static List<Long> orderings(Connection c, String sql) throws SQLException {
    List<Long> out = new ArrayList<>();
    try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
      while (rs.next()) {
        out.add(rs.getLong(1));
      }
    }
    return out;
  }

  /** H2's plan of pekko-persistence-jdbc's eventsByTag query. */
  private static String plan(Connection c) throws SQLException {
    try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("EXPLAIN SELECT"
        + " j.\"ordering\" FROM \"event_journal\" j INNER JOIN \"event_tag\" t"
        + " ON j.\"ordering\" = t.\"event_id\" WHERE t.\"tag\" = 'run' AND j.\"ordering\" > 1"
        + " AND j.\"ordering\" <= 10 AND j.\"deleted\" = false ORDER BY j.\"ordering\" LIMIT 10")) {
      rs.next();
      return rs.getString(1);
    }
  }
}
