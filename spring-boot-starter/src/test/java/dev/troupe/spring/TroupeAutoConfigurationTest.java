package dev.troupe.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.troupe.api.RunResult;
import dev.troupe.api.RunStatus;
import dev.troupe.api.Troupe;
import dev.troupe.api.WorkerModule;
import dev.troupe.api.WorkerDefinition;
import dev.troupe.node.TroupeNode;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.io.IOException;
import java.net.ConnectException;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.pekko.actor.typed.ActorSystem;
import org.junit.jupiter.api.Test;
import org.springframework.boot.actuate.autoconfigure.metrics.MetricsAutoConfiguration;
import org.springframework.boot.actuate.health.Status;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The starter in real application contexts: each starts a node on its own in-memory H2. */
class TroupeAutoConfigurationTest {
  private static final Duration WAIT = Duration.ofSeconds(30);

  private final ApplicationContextRunner runner = new ApplicationContextRunner()
      .withConfiguration(AutoConfigurations.of(TroupeAutoConfiguration.class,
          MetricsAutoConfiguration.class))
      .withPropertyValues(
          "troupe.db.url=jdbc:h2:mem:starter-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1",
          "troupe.discover-modules=off",
          "pekko.remote.artery.canonical.port=0",
          "troupe.shutdown.drain-timeout=2s");

  /** Beans as an application declares them: a job, and a module that needs Troupe itself. */
  @Configuration(proxyBeanMethods = false)
  static class Workers {
    @Bean
    TroupeJob<Greeting> greet() {
      return TroupeJob.of("greet", Greeting.class, (g, ctx) -> "hello " + g.name());
    }

    @Bean
    WorkerModule twice(Troupe troupe) {
      return registrar -> registrar.job("greet-twice", Greeting.class, (g, ctx) -> {
        RunResult first = troupe.run("greet", ctx.payload()).toCompletableFuture()
            .get(10, TimeUnit.SECONDS);
        return first.result().asText() + ", " + first.result().asText();
      });
    }

    @Bean
    MeterRegistry meterRegistry() {
      return new SimpleMeterRegistry();
    }
  }

  record Greeting(String name) {}

  /** An application's own OpenTelemetry, its spans kept in memory. */
  @Configuration(proxyBeanMethods = false)
  static class Tracing {
    @Bean
    InMemorySpanExporter spans() {
      return InMemorySpanExporter.create();
    }

    @Bean
    OpenTelemetrySdk openTelemetry(InMemorySpanExporter spans) {
      return OpenTelemetrySdk.builder().setTracerProvider(SdkTracerProvider.builder()
          .addSpanProcessor(SimpleSpanProcessor.create(spans)).build()).build();
    }
  }

  @Test
  void tracesRunsWithTheApplicationsOpenTelemetryWhenTracingIsOn() {
    runner.withUserConfiguration(Workers.class, Tracing.class)
        .withPropertyValues("troupe.tracing.enabled=true").run(context -> {
          // given
          Troupe troupe = context.getBean(Troupe.class);
          InMemorySpanExporter spans = context.getBean(InMemorySpanExporter.class);
          // when
          RunResult run = troupe.run("greet", payload("Ada")).toCompletableFuture()
              .get(WAIT.toSeconds(), TimeUnit.SECONDS);
          // then the run's call, its entity's recording and its attempt are spans of the
          // application's, in its trace
          assertThat(run.traceId()).isNotNull();
          await().atMost(WAIT).untilAsserted(() -> assertThat(spans.getFinishedSpanItems())
              .filteredOn(s -> s.getTraceId().equals(run.traceId()))
              .extracting(SpanData::getName)
              .containsExactlyInAnyOrder("call greet", "entity greet", "attempt greet"));
        });
  }

  @Test
  void leavesRunsUntracedWhileTracingIsOffEvenWithAnOpenTelemetryBean() {
    runner.withUserConfiguration(Workers.class, Tracing.class).run(context -> {
      // given
      Troupe troupe = context.getBean(Troupe.class);
      // when
      RunResult run = troupe.run("greet", payload("Ada")).toCompletableFuture()
          .get(WAIT.toSeconds(), TimeUnit.SECONDS);
      // then
      assertThat(run.traceId()).isNull();
      assertThat(context.getBean(InMemorySpanExporter.class).getFinishedSpanItems()).isEmpty();
    });
  }

  @Test
  void registersTheJobAndModuleBeansAndRunsThem() {
    runner.withUserConfiguration(Workers.class).run(context -> {
      // given
      Troupe troupe = context.getBean(Troupe.class);
      // when
      RunResult run = troupe.run("greet-twice", payload("Ada")).toCompletableFuture()
          .get(WAIT.toSeconds(), TimeUnit.SECONDS);
      // then
      assertThat(troupe.workers()).extracting(WorkerDefinition::name)
          .containsExactlyInAnyOrder("greet", "greet-twice");
      assertThat(run.status()).isEqualTo(RunStatus.SUCCEEDED);
      assertThat(run.result().asText()).isEqualTo("hello Ada, hello Ada");
    });
  }

  @Test
  void mapsSpringPropertiesOntoTheNodesConfig() {
    runner.withPropertyValues("troupe.ask-timeout=7s", "troupe.node.roles=edge",
            "troupe.http.cors.allowed-origins[0]=https://a.example",
            "troupe.http.cors.allowed-origins[1]=https://b.example",
            "troupe.spring.system-name=shop")
        .run(context -> {
          // given
          ActorSystem<?> system = context.getBean(Troupe.class).system();
          // when
          var config = system.settings().config();
          // then
          assertThat(system.name()).isEqualTo("shop");
          assertThat(config.getDuration("troupe.ask-timeout")).isEqualTo(Duration.ofSeconds(7));
          assertThat(config.getStringList("pekko.cluster.roles")).contains("edge");
          assertThat(config.getStringList("troupe.http.cors.allowed-origins"))
              .containsExactly("https://a.example", "https://b.example");
          assertThat(config.getInt("pekko.remote.artery.canonical.port")).isZero();
        });
  }

  @Test
  void reportsReadinessInActuatorHealth() {
    runner.run(context -> {
      // given
      TroupeHealthIndicator indicator = context.getBean(TroupeHealthIndicator.class);
      // when the node has joined its cluster and its journal answers
      // then
      await().atMost(WAIT).untilAsserted(() ->
          assertThat(indicator.health().getStatus()).isEqualTo(Status.UP));
      assertThat(indicator.health().getDetails()).containsEntry("memberStatus", "Up")
          .containsKey("address");
    });
  }

  @Test
  void publishesTheNodesMetersToTheApplicationsRegistry() {
    runner.withUserConfiguration(Workers.class).run(context -> {
      // given
      MeterRegistry registry = context.getBean(MeterRegistry.class);
      Troupe troupe = context.getBean(Troupe.class);
      // when
      troupe.run("greet", payload("Grace")).toCompletableFuture().get(WAIT.toSeconds(),
          TimeUnit.SECONDS);
      // then the application's registry counts what the node's own does
      await().atMost(WAIT).untilAsserted(() -> {
        assertThat(registry.find("troupe_runs_started").tag("worker", "greet").counter())
            .isNotNull().extracting(c -> c.count()).isEqualTo(1.0);
        assertThat(registry.find("troupe_runs_finished").tag("worker", "greet")
            .tag("status", "SUCCEEDED").counter()).isNotNull();
      });
      assertThat(((TroupeNode) troupe).metrics().scrape())
          .contains("troupe_runs_started_total{worker=\"greet\"} 1.0");
    });
  }

  @Test
  void stopsTheNodeWithTheContext() {
    // given
    AtomicReference<ActorSystem<?>> system = new AtomicReference<>();
    // when
    runner.run(context -> system.set(context.getBean(Troupe.class).system()));
    // then the context has closed, and the node's actor system has terminated with it
    assertThat(system.get().getWhenTerminated().toCompletableFuture()).isDone();
  }

  @Test
  void servesTheNodesHttpApiWhenTurnedOn() throws IOException {
    int port = freePort();
    runner.withUserConfiguration(Workers.class)
        .withPropertyValues("troupe.http.enabled=true", "troupe.http.host=127.0.0.1",
            "troupe.http.port=" + port)
        .run(context -> {
          // given
          HttpClient http = HttpClient.newHttpClient();
          // when
          HttpResponse<String> workers = http.send(HttpRequest.newBuilder(
              URI.create("http://127.0.0.1:" + port + "/api/v1/workers")).build(),
              HttpResponse.BodyHandlers.ofString());
          // then
          assertThat(workers.statusCode()).isEqualTo(200);
          assertThat(workers.body()).contains("\"greet\"", "\"greet-twice\"");
        });
  }

  @Test
  void servesNoHttpApiUnlessTurnedOn() throws IOException {
    int port = freePort();
    runner.withUserConfiguration(Workers.class)
        .withPropertyValues("troupe.http.host=127.0.0.1", "troupe.http.port=" + port)
        .run(context -> {
          // given a node whose API has a port but was not turned on
          assertThat(context.getBean(Troupe.class).workers()).isNotEmpty();
          // when its port is called, then nothing listens there
          assertThatThrownBy(() -> new Socket("127.0.0.1", port).close())
              .isInstanceOf(ConnectException.class);
        });
  }

  @Test
  void turnsOffEntirelyByProperty() {
    runner.withPropertyValues("troupe.spring.enabled=false").run(context ->
        assertThat(context).doesNotHaveBean(Troupe.class).doesNotHaveBean(TroupeRuntime.class));
  }

  private static JsonNode payload(String name) {
    return JsonNodeFactory.instance.objectNode().put("name", name);
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }
}
