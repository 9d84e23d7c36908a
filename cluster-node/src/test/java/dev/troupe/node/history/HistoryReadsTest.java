package dev.troupe.node.history;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.typesafe.config.ConfigFactory;
import dev.troupe.api.RunQuery;
import dev.troupe.api.RunRejectedException;
import dev.troupe.node.Await;
import dev.troupe.node.TestNodes;
import dev.troupe.persistence.DatabaseSettings;
import dev.troupe.persistence.RunHistoryStore;
import dev.troupe.persistence.SchemaMigrator;
import dev.troupe.persistence.history.JdbcRunHistoryStore;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.Test;

/** A history read the database refuses is UNAVAILABLE, without the database's own words. */
class HistoryReadsTest {

  @Test
  void aFailedReadIsUnavailableAndKeepsTheDatabasesMessageInTheLog() {
    // given a real history store whose pool is closed
    DatabaseSettings db = DatabaseSettings.fromConfig(
        TestNodes.config(TestNodes.newH2Url(), "").withFallback(ConfigFactory.load()));
    SchemaMigrator.migrate(db);
    RunHistoryStore store = JdbcRunHistoryStore.open(db, 1);
    store.close();
    ExecutorService pool = Executors.newSingleThreadExecutor();
    try {
      HistoryReads reads = new HistoryReads(store, pool, pool);

      // when a page is read, then it fails as UNAVAILABLE, naming no driver, pool or statement
      assertThatThrownBy(() -> Await.result(reads.page(RunQuery.first(10))))
          .isInstanceOf(RunRejectedException.class)
          .satisfies(e -> assertThat(((RunRejectedException) e).reason())
              .isEqualTo(RunRejectedException.Reason.UNAVAILABLE))
          .hasMessageContaining("run history cannot be read now")
          .hasMessageNotContainingAny("Hikari", "SQL", "jdbc", "closed", "troupe_runs");
    } finally {
      pool.shutdown();
    }
  }
}
