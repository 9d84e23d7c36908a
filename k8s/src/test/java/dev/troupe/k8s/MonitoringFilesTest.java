package dev.troupe.k8s;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.troupe.api.RunResult;
import dev.troupe.api.RunStatus;
import dev.troupe.node.TroupeConfig;
import dev.troupe.node.TroupeNode;
import dev.troupe.node.http.HttpServer;
import dev.troupe.node.http.HttpSettings;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestInstance.Lifecycle;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * The Grafana dashboard and the Prometheus alert rules in {@code monitoring/} use only metric
 * names that a node exports: a node with the demo workers runs a workload (and answers an HTTP
 * request), then every name the two files mention must be among those its {@code /metrics} shows.
 */
@TestInstance(Lifecycle.PER_CLASS)
class MonitoringFilesTest {
  private static final Path MONITORING = Path.of("monitoring").toAbsolutePath();
  private static final Duration WAIT = Duration.ofSeconds(60);
  /** The prefixes of the node's metric families; PromQL functions and labels never start so. */
  private static final Pattern METRIC = Pattern.compile(
      "\\b(?:troupe|jvm|process|system|hikaricp)_[a-z0-9_]+\\b");

  private ActorSystem<Void> system;
  private int port;

  @BeforeAll
  void startANodeAndRunAWorkload() throws Exception {
    Config config = TroupeConfig.withDefaults(ConfigFactory.parseString(String.join("\n",
        "troupe.db.url = \"jdbc:h2:mem:monitoring;DB_CLOSE_DELAY=-1\"",
        "pekko.remote.artery.canonical.port = 0",
        "troupe.http { enabled = on, host = \"127.0.0.1\", port = 0 }",
        "troupe.shutdown.drain-timeout = 2s")));
    system = ActorSystem.create(Behaviors.empty(), "troupe", config);
    TroupeNode node = TroupeNode.start(system);
    port = HttpServer.start(node, HttpSettings.fromConfig(config)).toCompletableFuture()
        .get(WAIT.toSeconds(), TimeUnit.SECONDS).localAddress().getPort();
    for (int i = 0; i < 5; i++) {
      RunResult run = node.run("echo", JsonNodeFactory.instance.objectNode().put("i", i))
          .toCompletableFuture().get(WAIT.toSeconds(), TimeUnit.SECONDS);
      assertThat(run.status()).isEqualTo(RunStatus.SUCCEEDED);
    }
    // and an HTTP request, timed as every answer of the port is
    assertThat(HttpClient.newHttpClient().send(HttpRequest.newBuilder(
            URI.create("http://127.0.0.1:" + port + "/api/v1/workers")).timeout(WAIT).build(),
        HttpResponse.BodyHandlers.discarding()).statusCode()).isEqualTo(200);
  }

  @AfterAll
  void stopTheNode() throws Exception {
    if (system != null) {
      system.terminate();
      system.getWhenTerminated().toCompletableFuture().get(WAIT.toSeconds(), TimeUnit.SECONDS);
    }
  }

  @Test
  void everyMetricTheDashboardAndTheAlertsUseIsExported() throws Exception {
    // given
    Set<String> dashboard = namesIn(strings(new ObjectMapper().readTree(
        MONITORING.resolve("grafana-dashboard.json").toFile())));
    Set<String> alerts = namesIn(alertExpressions());
    // when the node has run the workload, its projection has written the history, and a
    // collection has happened (the GC meters appear with the first pause)
    System.gc();
    await().atMost(WAIT).untilAsserted(() -> assertThat(exported())
        .contains("troupe_runs_finished_total", "troupe_history_projection_entries_total",
            "troupe_http_server_requests_seconds_bucket", "troupe_journal_write_seconds_bucket",
            "troupe_journal_batch_size_sum", "jvm_gc_pause_seconds_count"));
    Set<String> exported = exported();
    // then
    assertThat(dashboard).hasSizeGreaterThan(10);
    assertThat(alerts).hasSizeGreaterThan(5);
    assertThat(dashboard).as("metrics of grafana-dashboard.json the node does not export")
        .isSubsetOf(exported);
    assertThat(alerts).as("metrics of prometheus-rules.yaml the node does not export")
        .isSubsetOf(exported);
  }

  @SuppressWarnings("unchecked")
  @Test
  void everyAlertHasANameASeverityAndASummary() throws Exception {
    // given
    List<Map<String, Object>> rules = rules();
    // then
    assertThat(rules).allSatisfy(rule -> {
      assertThat(rule).containsKeys("alert", "expr", "labels", "annotations");
      assertThat((Map<String, Object>) rule.get("labels")).containsKey("severity");
      assertThat((Map<String, Object>) rule.get("annotations")).containsKey("summary");
    });
  }

  /** The names of the metric families on {@code /metrics}, with their suffixes. */
  private Set<String> exported() throws Exception {
    HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
            URI.create("http://127.0.0.1:" + port + "/metrics")).timeout(WAIT).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).isEqualTo(200);
    return response.body().lines().filter(l -> !l.isBlank() && !l.startsWith("#"))
        .map(l -> l.split("[{ ]", 2)[0]).collect(Collectors.toCollection(TreeSet::new));
  }

  private static Set<String> namesIn(List<String> texts) {
    Set<String> names = new TreeSet<>();
    for (String text : texts) {
      Matcher m = METRIC.matcher(text);
      while (m.find()) {
        names.add(m.group());
      }
    }
    return names;
  }

  /** Every string value of the dashboard: its queries and its variables' queries. */
  private static List<String> strings(JsonNode node) {
    List<String> out = new ArrayList<>();
    if (node.isTextual()) {
      out.add(node.asText());
    }
    node.forEach(child -> out.addAll(strings(child)));
    return out;
  }

  private static List<String> alertExpressions() throws Exception {
    return rules().stream().map(r -> String.valueOf(r.get("expr"))).toList();
  }

  @SuppressWarnings("unchecked")
  private static List<Map<String, Object>> rules() throws Exception {
    Map<String, Object> file = new Yaml(new SafeConstructor(new LoaderOptions()))
        .load(Files.readString(MONITORING.resolve("prometheus-rules.yaml")));
    List<Map<String, Object>> rules = new ArrayList<>();
    for (Map<String, Object> group : (List<Map<String, Object>>) file.get("groups")) {
      rules.addAll((List<Map<String, Object>>) group.get("rules"));
    }
    return rules;
  }
}
