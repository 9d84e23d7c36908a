package dev.troupe.node.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.troupe.node.TestNodes;
import dev.troupe.node.TroupeNode;
import dev.troupe.persistence.DatabaseSettings;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.management.javadsl.PekkoManagement;
import org.junit.jupiter.api.Test;

/** Liveness and readiness through Pekko Management's health checks, both ways. */
class ManagementHealthTest {
  private final HttpClient http = HttpClient.newHttpClient();

  private int status(String url) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).build(),
        HttpResponse.BodyHandlers.discarding()).statusCode();
  }

  @Test
  void aliveAtOnceAndReadyOnceUpWithAJournalThatAnswers() throws Exception {
    // given a node on a free management port
    ActorSystem<Void> system = TestNodes.system(TestNodes.config(TestNodes.newH2Url(),
        "pekko.management.http.port = 0"));
    try {
      TroupeNode.start(system);
      // when
      String base = PekkoManagement.get(system).start().toCompletableFuture().get(20, TimeUnit.SECONDS)
          .toString().replaceAll("/$", "");
      // then
      assertThat(status(base + "/alive")).isEqualTo(200);
      await().atMost(Duration.ofSeconds(20)).until(() -> status(base + "/ready") == 200);
      assertThat(status(base + "/cluster/members")).isEqualTo(404);
    } finally {
      system.terminate();
      system.getWhenTerminated().toCompletableFuture().get(60, TimeUnit.SECONDS);
    }
  }

  @Test
  void notReadyWhileTheJournalDoesNotAnswerAndReadyAgainAfter() throws Exception {
    // given a ready node
    ActorSystem<Void> system = TestNodes.system(TestNodes.config(TestNodes.newH2Url(),
        "pekko.management.http.port = 0"));
    try {
      TroupeNode.start(system);
      String base = PekkoManagement.get(system).start().toCompletableFuture().get(20, TimeUnit.SECONDS)
          .toString().replaceAll("/$", "");
      await().atMost(Duration.ofSeconds(20)).until(() -> status(base + "/ready") == 200);
      DatabaseSettings db = DatabaseSettings.fromConfig(system.settings().config());

      // when its journal table is gone, then it is not ready, and still alive
      sql(db, "ALTER TABLE \"event_journal\" RENAME TO \"event_journal_away\"");
      // (Pekko Management answers a failed readiness check with a 5xx; Kubernetes wants non-2xx)
      await().atMost(Duration.ofSeconds(20)).until(() -> status(base + "/ready") >= 500);
      assertThat(status(base + "/alive")).isEqualTo(200);

      // when it is back, then it is ready again
      sql(db, "ALTER TABLE \"event_journal_away\" RENAME TO \"event_journal\"");
      await().atMost(Duration.ofSeconds(20)).until(() -> status(base + "/ready") == 200);
    } finally {
      system.terminate();
      system.getWhenTerminated().toCompletableFuture().get(60, TimeUnit.SECONDS);
    }
  }

  private static void sql(DatabaseSettings db, String statement) throws Exception {
    try (Connection c = DriverManager.getConnection(db.url(), db.user(), db.password());
         Statement s = c.createStatement()) {
      s.execute(statement);
    }
  }
}
