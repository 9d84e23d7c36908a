package dev.troupe.examples.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.troupe.api.Troupe;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

/** The example application started for real, on a random port, on an in-memory H2. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
    "troupe.db.url=jdbc:h2:mem:greetings;DB_CLOSE_DELAY=-1",
    "troupe.shutdown.drain-timeout=2s"})
class GreetingApplicationTest {
  private static final Duration WAIT = Duration.ofSeconds(30);

  private final HttpClient http = HttpClient.newBuilder().connectTimeout(WAIT).build();
  private final ObjectMapper json = new ObjectMapper();

  @LocalServerPort
  int port;

  @Autowired
  Troupe troupe;

  @Test
  void aRequestRunsTheGreetJobAndAnswersWithTheFinishedRun() throws Exception {
    // given
    String body = "{\"name\":\"Ada\",\"language\":\"fr\"}";
    // when
    HttpResponse<String> response = post("/greetings", body);
    // then
    assertThat(response.statusCode()).isEqualTo(200);
    JsonNode run = json.readTree(response.body());
    assertThat(run.path("status").asText()).isEqualTo("SUCCEEDED");
    assertThat(run.path("result").path("text").asText()).isEqualTo("Bonjour, Ada!");
    // and the run can be looked up by its id
    HttpResponse<String> lookedUp = get("/greetings/" + run.path("runId").asText());
    assertThat(lookedUp.statusCode()).isEqualTo(200);
    assertThat(json.readTree(lookedUp.body()).path("worker").asText()).isEqualTo("greet");
  }

  @Test
  void aLanguageTheGreeterDoesNotSpeakFailsTheRunPermanently() throws Exception {
    // when
    HttpResponse<String> response = post("/greetings", "{\"name\":\"Ada\",\"language\":\"xx\"}");
    // then one attempt only: a PermanentFailure is never retried
    JsonNode run = json.readTree(response.body());
    assertThat(run.path("status").asText()).isEqualTo("FAILED");
    assertThat(run.path("attempts").asInt()).isEqualTo(1);
    assertThat(run.path("error").path("message").asText()).contains("language 'xx'");
  }

  @Test
  void onlyTheApplicationsOwnJobIsRegistered() {
    // then exactly the application's own job, from its bean
    assertThat(troupe.workers()).extracting(w -> w.name()).containsExactly("greet");
  }

  @Test
  void actuatorShowsTheNodesReadinessAndMeters() throws Exception {
    // given a run, so that the node's meters have counted something
    post("/greetings", "{\"name\":\"Grace\"}");
    // then
    await().atMost(WAIT).untilAsserted(() -> {
      JsonNode health = json.readTree(get("/actuator/health").body());
      assertThat(health.path("components").path("troupe").path("status").asText())
          .isEqualTo("UP");
      assertThat(health.path("status").asText()).isEqualTo("UP");
    });
    HttpResponse<String> started = get("/actuator/metrics/troupe_runs_started");
    assertThat(started.statusCode()).isEqualTo(200);
    assertThat(json.readTree(started.body()).path("measurements").get(0).path("value").asDouble())
        .isGreaterThanOrEqualTo(1.0);
  }

  private HttpResponse<String> post(String path, String body) throws Exception {
    return http.send(HttpRequest.newBuilder(uri(path)).timeout(WAIT)
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> get(String path) throws Exception {
    return http.send(HttpRequest.newBuilder(uri(path)).timeout(WAIT).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private URI uri(String path) {
    return URI.create("http://127.0.0.1:" + port + path);
  }
}
