package dev.troupe.bench.peers;

import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * The durability workload's ledger: every execution of a {@link JobKind#LEDGER} job inserts its id
 * into {@code bench_done}, a PostgreSQL table without a unique constraint, so that re-executions
 * show up as duplicate rows and jobs never executed as missing ids. It lives in its own database,
 * apart from the storage of the system under test.
 */
final class Ledger {
  static final String TABLE = "bench_done";
  private static volatile HikariDataSource pool;

  private Ledger() {}

  /** Opens the ledger in this JVM (the durability child) with {@code connections} connections. */
  static void open(Storage db, int connections) {
    pool = Pools.pool(db, connections, "ledger");
  }

  static void createTable(Storage db) throws SQLException {
    try (Connection c = db.connect(); Statement st = c.createStatement()) {
      st.execute("CREATE TABLE IF NOT EXISTS " + TABLE + " (job_id varchar(64) NOT NULL,"
          + " at timestamptz NOT NULL DEFAULT now())");
    }
  }

  /** Inserts one row for {@code id}, committed before the job body returns. */
  static void record(String id) {
    try (Connection c = pool.getConnection();
        PreparedStatement ps = c.prepareStatement("INSERT INTO " + TABLE + " (job_id) VALUES (?)")) {
      ps.setString(1, id);
      ps.executeUpdate();
    } catch (SQLException e) {
      throw new IllegalStateException("ledger insert failed for " + id, e);
    }
  }
}
