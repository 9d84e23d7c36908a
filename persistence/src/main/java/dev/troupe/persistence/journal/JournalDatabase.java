package dev.troupe.persistence.journal;

import com.typesafe.config.Config;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.metrics.MetricsTrackerFactory;
import dev.troupe.persistence.DatabaseSettings;
import org.apache.pekko.actor.AbstractExtensionId;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.actor.Extension;
import org.apache.pekko.persistence.jdbc.db.SlickDatabase;
import slick.jdbc.JdbcBackend;
import slick.jdbc.JdbcBackend$;
import slick.jdbc.JdbcProfile;
import slick.jdbc.hikaricp.HikariCPJdbcDataSource;
import slick.util.AsyncExecutor;
import slick.util.AsyncExecutor$;

/**
 * The one Slick database of an actor system's journal, snapshot store and read journal, over a
 * HikariCP pool that Troupe builds itself (pool {@value #POOL_NAME}) rather than Slick: that is
 * what lets the node report the pool's metrics ({@link #trackMetrics}). The pool is the one Slick
 * made from {@code troupe.db} before: the URL as {@link DatabaseSettings#url()} gives it (on H2,
 * every commit written at once), its user and password, {@code pool-size} connections (one kept
 * idle) and as many Slick threads, {@code queue-size} statements waiting for them; a database
 * that comes up after the node is waited for by the first statement, not at start.
 *
 * <p>Made when the first plugin asks for it ({@link JournalDatabaseProvider}), and closed when the
 * actor system has terminated, after every plugin stopped; no plugin closes it.
 */
public final class JournalDatabase implements Extension {
  /** The name of the journal's connection pool, as its metrics are tagged. */
  public static final String POOL_NAME = "troupe-journal";

  private static final Id ID = new Id();

  private final ActorSystem system;
  private SlickDatabase database;
  private HikariDataSource pool;
  private MetricsTrackerFactory metrics;

  private JournalDatabase(ActorSystem system) {
    this.system = system;
  }

  /** The journal's database of {@code system} (one per actor system). */
  public static JournalDatabase get(ActorSystem system) {
    return ID.get(system);
  }

  /**
   * Reports the pool's metrics (connections active, idle, pending, acquire and usage times,
   * timeouts; pool {@value #POOL_NAME}) to {@code metrics}, from now on whether or not the pool
   * is made yet. Once per actor system.
   *
   * @throws IllegalStateException when the pool reports its metrics already
   */
  public synchronized void trackMetrics(MetricsTrackerFactory metrics) {
    if (this.metrics != null) {
      throw new IllegalStateException("the journal's pool reports its metrics already");
    }
    this.metrics = metrics;
    if (pool != null) {
      pool.setMetricsTrackerFactory(metrics);
    }
  }

  /** The database, made at the first call; it connects in the background, never here. */
  synchronized SlickDatabase database() {
    if (database == null) {
      database = open(JournalPoolSettings.fromConfig(system.settings().config()));
    }
    return database;
  }

  private SlickDatabase open(JournalPoolSettings settings) {
    DatabaseSettings db = settings.db();
    HikariConfig c = db.hikari(POOL_NAME, db.poolSize(), metrics);
    pool = new HikariDataSource(c);
    AsyncExecutor executor = AsyncExecutor$.MODULE$.apply(POOL_NAME, db.poolSize(),
        db.poolSize(), settings.queueSize(), db.poolSize(), false);
    JdbcBackend.JdbcDatabaseDef slick = JdbcBackend$.MODULE$.Database()
        .forSource(new HikariCPJdbcDataSource(pool, c), executor);
    system.registerOnTermination(slick::close);
    return new Shared(slick, db.dialect().slickProfile());
  }

  /** The database every plugin shares: none of them may close it. */
  private record Shared(JdbcBackend.JdbcDatabaseDef database, JdbcProfile profile)
      implements SlickDatabase {
    @Override
    public boolean allowShutdown() {
      return false;
    }
  }

  private static final class Id extends AbstractExtensionId<JournalDatabase> {
    @Override
    public JournalDatabase createExtension(ExtendedActorSystem system) {
      return new JournalDatabase(system);
    }
  }

  /** {@code troupe.db} as the journal's pool reads it. */
  private record JournalPoolSettings(DatabaseSettings db, int queueSize) {
    static JournalPoolSettings fromConfig(Config config) {
      return new JournalPoolSettings(DatabaseSettings.fromConfig(config),
          config.getInt("troupe.db.queue-size"));
    }
  }
}
