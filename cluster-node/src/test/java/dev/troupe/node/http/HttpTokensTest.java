package dev.troupe.node.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.ConfigFactory;
import dev.troupe.api.WorkerConfig;
import dev.troupe.node.TestNodes;
import dev.troupe.node.TroupeNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorSystem;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** Bearer tokens: none → 401, a client token calls and reads, only an admin token cancels. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HttpTokensTest {
  private final HttpClient http = HttpClient.newHttpClient();
  private ActorSystem<Void> system;
  private TroupeNode troupe;
  private String base;

  @BeforeAll
  void start() throws Exception {
    system = TestNodes.system(TestNodes.config(TestNodes.newH2Url(),
        "troupe.http { enabled = on, host = 127.0.0.1, port = 0,"
            + " client-tokens = \"c-one, c-two\", admin-tokens = \"a-one\" }"));
    troupe = TroupeNode.start(system);
    troupe.registerBlocking("waiting", WorkerConfig.DEFAULT, ctx -> {
      ctx.sleep(Duration.ofMinutes(1));
      return ctx.newObject();
    });
    var binding = HttpServer.start(troupe, HttpSettings.fromConfig(system.settings().config()))
        .toCompletableFuture().get(20, TimeUnit.SECONDS);
    base = "http://127.0.0.1:" + binding.localAddress().getPort();
  }

  @AfterAll
  void stop() throws Exception {
    system.terminate();
    system.getWhenTerminated().toCompletableFuture().get(60, TimeUnit.SECONDS);
  }

  private HttpResponse<String> send(String method, String path, String token) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(20))
        .header("Content-Type", "application/json")
        .method(method, method.equals("POST") ? HttpRequest.BodyPublishers.ofString("{}")
            : HttpRequest.BodyPublishers.noBody());
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void requestsWithoutAValidTokenAreUnauthorized() throws Exception {
    assertThat(send("GET", "/api/v1/workers", null).statusCode()).isEqualTo(401);
    assertThat(send("GET", "/api/v1/workers", "wrong").statusCode()).isEqualTo(401);
    assertThat(send("GET", "/api/v1/workers", "c-on").statusCode()).isEqualTo(401);
    assertThat(send("GET", "/api/v1/workers", null).body()).contains("UNAUTHORIZED");
  }

  @Test
  void aClientTokenCallsAndReadsButOnlyAnAdminTokenCancels() throws Exception {
    // given a run started with a client token
    HttpResponse<String> started = send("POST", "/api/v1/workers/waiting/runs", "c-two");
    assertThat(started.statusCode()).isEqualTo(202);
    String runId = new ObjectMapper().readTree(started.body()).get("runId").asText();
    assertThat(send("GET", "/api/v1/runs/" + runId, "c-one").statusCode()).isEqualTo(200);
    // when / then
    HttpResponse<String> forbidden = send("POST", "/api/v1/runs/" + runId + "/cancel", "c-one");
    assertThat(forbidden.statusCode()).isEqualTo(403);
    assertThat(forbidden.body()).contains("FORBIDDEN").doesNotContain("c-one");
    assertThat(send("POST", "/api/v1/runs/" + runId + "/cancel", "a-one").statusCode()).isEqualTo(202);
  }

  @Test
  void metricsNeedATokenUnlessConfiguredPublic() throws Exception {
    // given a second port of the same node whose /metrics is configured public
    HttpSettings open = HttpSettings.fromConfig(ConfigFactory.parseString(
        "troupe.http.metrics-public = on").withFallback(system.settings().config()));
    String publicBase = "http://127.0.0.1:" + HttpServer.start(troupe, open).toCompletableFuture()
        .get(20, TimeUnit.SECONDS).localAddress().getPort();
    // when
    HttpResponse<String> anonymous = send("GET", "/metrics", null);
    HttpResponse<String> client = send("GET", "/metrics", "c-one");
    HttpResponse<String> anonymousOnPublic = http.send(HttpRequest.newBuilder(
        URI.create(publicBase + "/metrics")).build(), HttpResponse.BodyHandlers.ofString());
    // then
    assertThat(anonymous.statusCode()).isEqualTo(401);
    assertThat(anonymous.body()).contains("UNAUTHORIZED").doesNotContain("troupe_");
    assertThat(client.statusCode()).isEqualTo(200);
    assertThat(client.body()).contains("troupe_");
    assertThat(anonymousOnPublic.statusCode()).isEqualTo(200);
    assertThat(anonymousOnPublic.body()).contains("troupe_");
  }
}
