package dev.troupe.persistence.history;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.metrics.MetricsTrackerFactory;
import dev.troupe.api.RunEvent;
import dev.troupe.api.RunPage;
import dev.troupe.api.RunQuery;
import dev.troupe.api.RunResult;
import dev.troupe.persistence.DatabaseSettings;
import dev.troupe.persistence.RunHistoryStore;
import dev.troupe.persistence.sql.SqlDialect;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The run history in the tables {@code troupe_runs} (one row per run, with its own stream events)
 * and {@code troupe_run_events} (the events its handler emitted to a durable stream), and the
 * projection offsets in {@code troupe_projection_offsets}, over plain JDBC: the same statements on
 * H2 and PostgreSQL (quoted lower-case names, JSON kept as text, times as UTC {@code
 * TIMESTAMP(3)}).
 *
 * <p>{@link #applyAll} writes a batch in one transaction with at most three JDBC batches (inserts,
 * updates, stream events) after reading the rows it changes, and first optimistically: the runs
 * accepted in the batch are taken to have no row yet, so only the rows of older runs are read. If
 * that fails (a replay finds such a row: a unique violation), the transaction is rolled back and
 * done again reading every row.
 */
public final class JdbcRunHistoryStore implements RunHistoryStore {
  private static final Logger log = LoggerFactory.getLogger(RunHistoryStore.class);

  /** The name of the history's own connection pool, as its metrics are tagged. */
  public static final String POOL_NAME = "troupe-run-history";

  private final DataSource dataSource;
  private final AutoCloseable owned;

  /** A store over {@code dataSource}, which the caller keeps and closes. */
  public JdbcRunHistoryStore(DataSource dataSource) {
    this(dataSource, null);
  }

  private JdbcRunHistoryStore(DataSource dataSource, AutoCloseable owned) {
    this.dataSource = dataSource;
    this.owned = owned;
  }

  /**
   * A store with its own small connection pool on {@code db}; {@link #close()} closes the pool.
   * The schema must be migrated ({@link dev.troupe.persistence.SchemaMigrator}) first. The pool
   * waits for a database that comes up after the node: the first statement waits, not this call.
   */
  public static JdbcRunHistoryStore open(DatabaseSettings db, int poolSize) {
    return open(db, poolSize, null);
  }

  /**
   * As {@link #open(DatabaseSettings, int)}, with the pool's metrics (connections active, idle,
   * pending, acquire and usage times, timeouts; pool {@value #POOL_NAME}) reported to {@code
   * metrics}, none when it is null.
   */
  public static JdbcRunHistoryStore open(DatabaseSettings db, int poolSize,
      MetricsTrackerFactory metrics) {
    SqlDialect dialect = db.dialect();
    HikariConfig c = db.hikari(POOL_NAME, poolSize, metrics);
    if (dialect.connectionInitSql() != null) {
      c.setConnectionInitSql(dialect.connectionInitSql());
    }
    c.setConnectionTimeout(5_000);
    HikariDataSource ds = new HikariDataSource(c);
    return new JdbcRunHistoryStore(ds, ds);
  }

  @Override
  public void close() {
    if (owned != null) {
      try {
        owned.close();
      } catch (Exception e) {
        log.warn("closing the run history's connection pool failed", e);
      }
    }
  }

  @Override
  public void applyAll(String projection, List<Entry> entries, long newOffset) {
    try (Connection c = dataSource.getConnection()) {
      c.setAutoCommit(false);
      try {
        BatchWriter.write(c, projection, entries, newOffset, false);
      } catch (SQLException | RuntimeException first) {
        rollback(c, first);
        log.debug("run history batch retried reading every row: {}", first.toString());
        try {
          BatchWriter.write(c, projection, entries, newOffset, true);
        } catch (SQLException | RuntimeException e) {
          rollback(c, e);
          throw e;
        }
      }
    } catch (SQLException e) {
      throw new StoreException("writing " + entries.size() + " journal entries to troupe_runs"
          + " failed: " + e.getMessage(), e);
    }
  }

  @Override
  public Map<String, Long> lastSeqNrs(String projection, Collection<String> persistenceIds) {
    try (Connection c = dataSource.getConnection()) {
      return Continuity.lastSeqNrs(c, projection, persistenceIds);
    } catch (SQLException e) {
      throw new StoreException("reading the continuity of projection '" + projection
          + "' failed: " + e.getMessage(), e);
    }
  }

  @Override
  public Map<String, Long> lastSeqNrs(String projection) {
    try (Connection c = dataSource.getConnection()) {
      return Continuity.lastSeqNrs(c, projection);
    } catch (SQLException e) {
      throw new StoreException("reading the continuity of projection '" + projection
          + "' failed: " + e.getMessage(), e);
    }
  }

  @Override
  public void park(String projection, List<Entry> entries, long newOffset, String error) {
    try (Connection c = dataSource.getConnection()) {
      c.setAutoCommit(false);
      try {
        BatchWriter.park(c, projection, entries, newOffset, error);
      } catch (SQLException | RuntimeException e) {
        rollback(c, e);
        throw e;
      }
    } catch (SQLException e) {
      throw new StoreException("setting " + entries.size() + " journal entries aside in"
          + " troupe_history_parked failed: " + e.getMessage(), e);
    }
  }

  private static void rollback(Connection c, Exception e) {
    try {
      c.rollback();
    } catch (SQLException r) {
      e.addSuppressed(r);
    }
  }

  @Override
  public long offset(String projection) {
    try (Connection c = dataSource.getConnection()) {
      return HistoryQueries.offset(c, projection);
    } catch (SQLException e) {
      throw new StoreException("reading the offset of projection '" + projection + "' failed: "
          + e.getMessage(), e);
    }
  }

  @Override
  public List<RunEvent> events(String runId, long afterSeq, long toSeq, int limit) {
    try (Connection c = dataSource.getConnection()) {
      return HistoryQueries.events(c, runId, afterSeq, toSeq, limit);
    } catch (SQLException e) {
      throw new StoreException("reading the stream of run " + runId + " from troupe_runs and"
          + " troupe_run_events failed: " + e.getMessage(), e);
    }
  }

  @Override
  public Optional<RunResult> find(String runId) {
    try (Connection c = dataSource.getConnection()) {
      return HistoryQueries.find(c, runId);
    } catch (SQLException e) {
      throw new StoreException("reading run " + runId + " from troupe_runs failed: "
          + e.getMessage(), e);
    }
  }

  @Override
  public RunPage page(RunQuery query) {
    PageCursor after = query.cursor() == null ? null : PageCursor.decode(query.cursor());
    try (Connection c = dataSource.getConnection()) {
      return HistoryQueries.page(c, query, after);
    } catch (SQLException e) {
      throw new StoreException("reading runs from troupe_runs failed: " + e.getMessage(), e);
    }
  }

  @Override
  public List<String> rerunsOf(String runId, int limit) {
    try (Connection c = dataSource.getConnection()) {
      return Retention.rerunsOf(c, runId, limit);
    } catch (SQLException e) {
      throw new StoreException("reading the re-runs of run " + runId + " from troupe_runs failed: "
          + e.getMessage(), e);
    }
  }

  @Override
  public int purgeJournal(String projection, int maxRows) {
    try (Connection c = dataSource.getConnection()) {
      return Retention.purgeJournal(c, projection, maxRows);
    } catch (SQLException e) {
      throw new StoreException("deleting old entries from event_journal failed: "
          + e.getMessage(), e);
    }
  }

  @Override
  public Purged purgeRuns(Instant cutoff, int maxRuns) {
    try (Connection c = dataSource.getConnection()) {
      return Retention.purgeRuns(c, cutoff, maxRuns);
    } catch (SQLException e) {
      throw new StoreException("deleting runs finished before " + cutoff + " from troupe_runs"
          + " failed: " + e.getMessage(), e);
    }
  }
}
