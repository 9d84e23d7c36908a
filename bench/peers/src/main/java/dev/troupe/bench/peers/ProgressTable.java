package dev.troupe.bench.peers;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.LockSupport;
import javax.sql.DataSource;

/**
 * Progress messages of the peers, which have no channel from a running job to its caller: the job
 * inserts a row per message into {@code bench_progress} in the system's own database (committed
 * at once), and the caller polls that table every {@value #POLL_MS} ms for the jobs it waits on.
 * This is the closest a caller gets to a live stream with them.
 */
final class ProgressTable implements AutoCloseable {
  static final long POLL_MS = 1;
  static final String DESCRIPTION = "the job inserts a row per message into a table in the same"
      + " database (autocommit); the caller polls that table every " + POLL_MS + " ms (one"
      + " query for all the jobs it waits on)";

  private final DataSource ds;
  private final Map<String, CompletableFuture<Void>> waiting = new ConcurrentHashMap<>();
  private final Thread poller;
  private volatile boolean closed;

  ProgressTable(DataSource ds) throws SQLException {
    this.ds = ds;
    try (Connection c = ds.getConnection(); Statement st = c.createStatement()) {
      st.execute("CREATE TABLE IF NOT EXISTS bench_progress (job_id varchar(64) NOT NULL,"
          + " seq int NOT NULL)");
      st.execute("CREATE INDEX IF NOT EXISTS bench_progress_job ON bench_progress (job_id)");
    }
    poller = new Thread(this::poll, "progress-poller");
    poller.setDaemon(true);
    poller.start();
  }

  /** Called by the job: message number {@code seq} of job {@code id}. */
  void emit(String id, int seq) {
    try (Connection c = ds.getConnection();
        PreparedStatement ps = c.prepareStatement(
            "INSERT INTO bench_progress (job_id, seq) VALUES (?, ?)")) {
      ps.setString(1, id);
      ps.setInt(2, seq);
      ps.executeUpdate();
    } catch (SQLException e) {
      throw new IllegalStateException("progress insert failed", e);
    }
  }

  /** Completes when the poller has seen a progress row of job {@code id}. */
  CompletableFuture<Void> awaitFirst(String id) {
    return waiting.computeIfAbsent(id, k -> new CompletableFuture<>());
  }

  private void poll() {
    while (!closed) {
      List<String> ids = new ArrayList<>(waiting.keySet());
      if (!ids.isEmpty()) {
        try {
          for (String seen : seen(ids.subList(0, Math.min(ids.size(), 500)))) {
            CompletableFuture<Void> f = waiting.remove(seen);
            if (f != null) {
              f.complete(null);
            }
          }
        } catch (SQLException e) {
          waiting.values().forEach(f -> f.completeExceptionally(e));
          waiting.clear();
        }
      }
      LockSupport.parkNanos(POLL_MS * 1_000_000);
    }
  }

  private List<String> seen(List<String> ids) throws SQLException {
    String marks = String.join(",", ids.stream().map(x -> "?").toList());
    try (Connection c = ds.getConnection();
        PreparedStatement ps = c.prepareStatement(
            "SELECT DISTINCT job_id FROM bench_progress WHERE job_id IN (" + marks + ")")) {
      for (int i = 0; i < ids.size(); i++) {
        ps.setString(i + 1, ids.get(i));
      }
      List<String> out = new ArrayList<>();
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(rs.getString(1));
        }
      }
      return out;
    }
  }

  @Override
  public void close() throws InterruptedException {
    closed = true;
    poller.join(1000);
  }
}
