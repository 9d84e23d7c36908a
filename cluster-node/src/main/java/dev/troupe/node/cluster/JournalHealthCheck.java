package dev.troupe.node.cluster;

import dev.troupe.persistence.DatabaseSettings;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.dispatch.MessageDispatcher;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Readiness check of Pekko Management (listed in {@code troupe-node.conf}): ready only when the
 * journal's database answers a query. Runs on the blocking dispatcher, never on an actor's.
 */
public final class JournalHealthCheck implements Supplier<CompletionStage<Boolean>> {
  private static final Logger log = LoggerFactory.getLogger(JournalHealthCheck.class);

  private final DatabaseSettings db;
  private final MessageDispatcher executor;

  public JournalHealthCheck(ActorSystem system) {
    this.db = DatabaseSettings.fromConfig(system.settings().config());
    this.executor = system.dispatchers().lookup("troupe.blocking-dispatcher");
  }

  @Override
  public CompletionStage<Boolean> get() {
    return CompletableFuture.supplyAsync(() -> {
      try (Connection c = DriverManager.getConnection(db.url(), db.user(), db.password());
           Statement s = c.createStatement()) {
        s.setQueryTimeout(1);
        return s.executeQuery("SELECT COUNT(*) FROM \"event_journal\" WHERE 1 = 0").next();
      } catch (SQLException e) {
        log.warn("journal not answering: {}", e.getMessage());
        return false;
      }
    }, executor);
  }
}
