package dev.troupe.examples;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
import dev.troupe.examples.client.SseClientExample;
import dev.troupe.examples.client.SseClientExample.Event;
import dev.troupe.examples.client.SseClientExample.Outcome;
import dev.troupe.node.TroupeConfig;
import dev.troupe.node.TroupeNode;
import dev.troupe.node.http.HttpServer;
import dev.troupe.node.http.HttpSettings;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.stream.LongStream;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The HTTP/SSE client example against a real node with the demo workers and the HTTP API on a
 * free port: it follows a {@code progress-reporter} run across a dropped connection.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SseClientExampleTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  private ActorSystem<Void> system;
  private String baseUrl;

  @BeforeAll
  void startNode() {
    Config config = TroupeConfig.withDefaults(ConfigFactory.parseString(String.join("\n",
            "troupe.discover-modules = on",
            "troupe.http { enabled = on, host = 127.0.0.1, port = 0 }",
            "pekko.remote.artery.canonical.port = 0",
            "pekko.cluster.jmx.multi-mbeans-in-same-jvm = on",
            "pekko.coordinated-shutdown.exit-jvm = off",
            "pekko.coordinated-shutdown.run-by-jvm-shutdown-hook = off"))
        .withValue("troupe.db.url", ConfigValueFactory.fromAnyRef(DemoWorkersTest.newH2Url())));
    system = ActorSystem.create(Behaviors.empty(), "troupe", config);
    TroupeNode troupe = TroupeNode.start(system);
    int port = Await.result(HttpServer.start(troupe, HttpSettings.fromConfig(config)))
        .localAddress().getPort();
    baseUrl = "http://127.0.0.1:" + port;
  }

  @AfterAll
  void stopNode() {
    if (system != null) {
      system.terminate();
      Await.result(system.getWhenTerminated(), 60);
    }
  }

  @Test
  void followsTheRunAcrossADroppedConnectionWithoutMissingOrRepeatingAnEvent() throws Exception {
    // given
    ByteArrayOutputStream printed = new ByteArrayOutputStream();
    // when
    Outcome outcome;
    try (PrintStream out = new PrintStream(printed, true, StandardCharsets.UTF_8)) {
      outcome = SseClientExample.run(baseUrl, out);
    }
    String text = printed.toString(StandardCharsets.UTF_8);
    System.out.print(text); // kept in target/surefire-reports/*-output.txt
    // then it took two connections, the second resuming after the last event of the first
    assertThat(outcome.connections()).as(text).isEqualTo(2);
    assertThat(text).contains("-- dropping the connection after " + SseClientExample.DROP_AFTER
        + " events").contains("Last-Event-ID: " + SseClientExample.DROP_AFTER);
    // every event once, ids 1..n without a gap or a repeat across the reconnect
    List<Long> ids = outcome.events().stream().map(Event::id).toList();
    assertThat(ids).as(text).containsExactlyElementsOf(
        LongStream.rangeClosed(1, ids.size()).boxed().toList());
    // the reconnect happened mid-run: events still came on the second connection
    assertThat(ids.size()).isGreaterThan(SseClientExample.DROP_AFTER + 1);
    // the worker's messages, in order, then the result
    assertThat(outcome.events()).filteredOn(e -> e.type().equals("message"))
        .extracting(e -> JSON.readTree(e.data()))
        .containsExactly(
            JSON.readTree("{\"progress\":20,\"message\":\"Processing item 1/5\"}"),
            JSON.readTree("{\"progress\":40,\"message\":\"Processing item 2/5\"}"),
            JSON.readTree("{\"progress\":60,\"message\":\"Processing item 3/5\"}"),
            JSON.readTree("{\"progress\":80,\"message\":\"Processing item 4/5\"}"),
            JSON.readTree("{\"progress\":100,\"message\":\"Processing item 5/5\"}"),
            JSON.readTree("{\"status\":\"complete\"}"));
    assertThat(outcome.events().get(outcome.events().size() - 1).type()).isEqualTo("result");
    assertThat(outcome.run().get("status").asText()).isEqualTo("SUCCEEDED");
    assertThat(outcome.run().get("result")).isEqualTo(JSON.readTree("{\"steps\":5}"));
    assertThat(outcome.run().get("runId").asText()).isEqualTo(outcome.runId());
    // and it printed every event and the result
    for (Event e : outcome.events()) {
      assertThat(text).contains("  " + e.id() + " " + e.type() + " " + e.data());
    }
    assertThat(text).contains("result: SUCCEEDED {\"steps\":5}");
  }
}
