package dev.troupe.persistence.journal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.metrics.IMetricsTracker;
import com.zaxxer.hikari.metrics.MetricsTrackerFactory;
import com.zaxxer.hikari.metrics.PoolStats;
import java.nio.file.Path;
import java.sql.Connection;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.persistence.jdbc.db.SlickDatabase;
import org.apache.pekko.persistence.jdbc.db.SlickExtension;
import org.apache.pekko.persistence.jdbc.db.SlickExtensionImpl;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import slick.jdbc.H2Profile$;
import slick.jdbc.hikaricp.HikariCPJdbcDataSource;

/**
 * The journal's database as pekko-persistence-jdbc gets it in an actor system configured as a
 * node's is ({@code troupe-persistence.conf}): one for every plugin, on Troupe's pool from {@code
 * troupe.db}, metered once asked, closed when the actor system terminates.
 */
class JournalDatabaseTest {

  private static ActorSystem system(Path dir) {
    Config config = ConfigFactory.parseString("troupe.db { url = \"jdbc:h2:file:"
            + dir.resolve("troupe").toAbsolutePath() + "\", pool-size = 3 }")
        .withFallback(ConfigFactory.parseResources("troupe-persistence.conf"))
        .withFallback(ConfigFactory.load()).resolve();
    return ActorSystem.create("journal-database", config);
  }

  private static HikariDataSource pool(SlickDatabase db) {
    return ((HikariCPJdbcDataSource) db.database().source()).ds();
  }

  @Test
  void everyPluginSharesOneDatabaseOnTroupesPoolClosedWhenTheSystemTerminates(@TempDir Path dir)
      throws Exception {
    // given
    ActorSystem system = system(dir);
    Config settings = system.settings().config();
    SlickExtensionImpl slick = (SlickExtensionImpl) SlickExtension.get(system);

    // when the journal, the snapshot store and the read journal ask for theirs
    SlickDatabase journal = slick.database(settings.getConfig("jdbc-journal"));
    SlickDatabase snapshots = slick.database(settings.getConfig("jdbc-snapshot-store"));
    SlickDatabase reads = slick.database(settings.getConfig("jdbc-read-journal"));

    // then they get one database, which none of them may close, on the pool of troupe.db
    assertThat(snapshots).isSameAs(journal);
    assertThat(reads).isSameAs(journal);
    assertThat(journal.allowShutdown()).isFalse();
    assertThat(journal.profile()).isSameAs(H2Profile$.MODULE$);
    HikariDataSource pool = pool(journal);
    assertThat(pool.getPoolName()).isEqualTo(JournalDatabase.POOL_NAME);
    assertThat(pool.getJdbcUrl()).endsWith(";WRITE_DELAY=0");
    assertThat(pool.getMaximumPoolSize()).isEqualTo(3);
    try (Connection c = pool.getConnection()) {
      assertThat(c.isValid(1)).isTrue();
    }
    // and the pool closes with the actor system
    system.terminate();
    system.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
    assertThat(pool.isClosed()).isTrue();
  }

  @Test
  void thePoolReportsItsMetricsWhetherTheyAreAskedForBeforeOrAfterItIsMade(@TempDir Path dir)
      throws Exception {
    for (boolean before : new boolean[] {true, false}) {
      // given
      ActorSystem system = system(dir.resolve(before ? "before" : "after"));
      AtomicReference<String> tracked = new AtomicReference<>();
      MetricsTrackerFactory metrics = (String poolName, PoolStats stats) -> {
        tracked.set(poolName);
        return new IMetricsTracker() { };
      };
      JournalDatabase database = JournalDatabase.get(system);
      try {
        // when
        if (before) {
          database.trackMetrics(metrics);
        }
        new JournalDatabaseProvider(system).database(ConfigFactory.empty());
        if (!before) {
          database.trackMetrics(metrics);
        }
        // then
        assertThat(tracked.get()).as("before: " + before).isEqualTo(JournalDatabase.POOL_NAME);
        assertThatThrownBy(() -> database.trackMetrics(metrics))
            .isInstanceOf(IllegalStateException.class);
      } finally {
        system.terminate();
        system.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
      }
    }
  }
}
