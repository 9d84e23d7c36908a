package dev.troupe.node.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.typesafe.config.ConfigFactory;
import dev.troupe.node.TroupeConfig;
import dev.troupe.node.TroupeNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.management.javadsl.PekkoManagement;
import org.junit.jupiter.api.Test;

/** Liveness and readiness through Pekko Management's health checks. */
class ManagementHealthTest {
  private final HttpClient http = HttpClient.newHttpClient();

  private int status(String url) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).build(),
        HttpResponse.BodyHandlers.discarding()).statusCode();
  }

  @Test
  void aliveAtOnceAndReadyOnceUpWithAJournalThatAnswers() throws Exception {
    // given a node on a free management port
    String db = "jdbc:h2:file:" + Files.createTempDirectory("troupe-mgmt").resolve("t") + ";DB_CLOSE_ON_EXIT=FALSE";
    ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "troupe", TroupeConfig.withDefaults(
        ConfigFactory.parseString("troupe.db.url = \"" + db + "\"\n"
            + "troupe.discover-modules = off\n"
            + "pekko.management.http.port = 0\n"
            + "pekko.remote.artery.canonical.port = 0\n"
            + "pekko.coordinated-shutdown.exit-jvm = off\n"
            + "pekko.coordinated-shutdown.run-by-jvm-shutdown-hook = off\n")));
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
}
