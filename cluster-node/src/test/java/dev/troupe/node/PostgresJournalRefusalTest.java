package dev.troupe.node;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable;

/**
 * The journal-refusal contract on PostgreSQL, refused by a trigger function: runs when
 * TROUPE_TEST_PG_URL is set. A held write waits for an advisory lock that the test holds.
 */
@EnabledIfEnvironmentVariable(named = "TROUPE_TEST_PG_URL", matches = ".+",
    disabledReason = "TROUPE_TEST_PG_URL is not set: the PostgreSQL variant is skipped")
class PostgresJournalRefusalTest extends JournalRefusalContract {
  private static final long LOCK = 4215;

  @Override
  String newDatabaseUrl() {
    return TestNodes.newPostgresUrl().orElseThrow();
  }

  @Override
  Connection connect(String url) throws SQLException {
    return DriverManager.getConnection(url, TestNodes.pgUser(), TestNodes.pgPassword());
  }

  @Override
  void install(Connection c) throws SQLException {
    c.createStatement().execute("CREATE FUNCTION marked_rows() RETURNS trigger AS $$\n"
        + "BEGIN\n"
        + "  IF position(convert_to('" + REFUSE + "', 'UTF8') in NEW.event_payload) > 0 THEN\n"
        + "    RAISE EXCEPTION 'refused by the test''s trigger' USING ERRCODE = '45000';\n"
        + "  END IF;\n"
        + "  IF position(convert_to('" + HOLD + "', 'UTF8') in NEW.event_payload) > 0 THEN\n"
        + "    PERFORM pg_advisory_xact_lock(" + LOCK + ");\n"
        + "  END IF;\n"
        + "  RETURN NEW;\n"
        + "END $$ LANGUAGE plpgsql");
    c.createStatement().execute("CREATE TRIGGER marked_rows BEFORE INSERT ON event_journal"
        + " FOR EACH ROW EXECUTE FUNCTION marked_rows()");
  }

  @Override
  void hold(Connection c) throws SQLException {
    c.createStatement().execute("SELECT pg_advisory_lock(" + LOCK + ")");
  }

  @Override
  boolean holding(Connection c) throws SQLException {
    try (ResultSet rs = c.createStatement().executeQuery("SELECT count(*) FROM pg_locks"
        + " WHERE locktype = 'advisory' AND NOT granted AND objid = " + LOCK)) {
      return rs.next() && rs.getInt(1) > 0;
    }
  }

  @Override
  void release(Connection c) throws SQLException {
    c.createStatement().execute("SELECT pg_advisory_unlock(" + LOCK + ")");
  }
}
