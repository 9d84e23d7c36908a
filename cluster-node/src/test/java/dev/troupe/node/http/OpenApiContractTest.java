package dev.troupe.node.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.PathType;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaValidatorsConfig;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import com.networknt.schema.oas.OpenApi30;
import com.typesafe.config.ConfigFactory;
import dev.troupe.api.BlockingWorker;
import dev.troupe.api.CallOptions;
import dev.troupe.api.PermanentFailure;
import dev.troupe.api.RetryPolicy;
import dev.troupe.api.RunHandle;
import dev.troupe.api.RunPage;
import dev.troupe.api.RunQuery;
import dev.troupe.api.RunRejectedException;
import dev.troupe.api.RunResult;
import dev.troupe.api.ScheduleInfo;
import dev.troupe.api.SchedulePage;
import dev.troupe.api.Schedules;
import dev.troupe.api.TransientFailure;
import dev.troupe.api.Troupe;
import dev.troupe.api.Worker;
import dev.troupe.api.WorkerConfig;
import dev.troupe.api.WorkerDefinition;
import dev.troupe.api.WorkerStats;
import dev.troupe.node.NodeJson;
import dev.troupe.node.TroupeConfig;
import dev.troupe.node.TroupeNode;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.Operation;
import io.swagger.v3.oas.models.PathItem;
import io.swagger.v3.parser.OpenAPIV3Parser;
import io.swagger.v3.parser.core.models.ParseOptions;
import io.swagger.v3.parser.core.models.SwaggerParseResult;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Keeps {@code openapi/troupe-v1.json} true: the document is valid OpenAPI 3.0.3, lists exactly
 * the routes the node serves, and every response a real node gives over HTTP (successes, every
 * documented error status, server-sent events frame by frame) matches the schema the document
 * declares for that route, status and content type. Failures the node cannot be made to produce
 * on demand (500, 503, 429 OVERLOADED) come from a {@link Troupe} (and its schedules) that
 * delegates to the real node but fails on request, behind the real routes. The last test checks
 * that every documented response was seen, and that none seen is undocumented.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class OpenApiContractTest {
  private static final String DOC = "openapi/troupe-v1.json";
  private static final String DOC_IRI = "classpath:" + DOC;
  private static final String JSON = "application/json";
  private static final String SSE = "text/event-stream";
  private static final String CLIENT_TOKEN = "client-secret";
  private static final String ADMIN_TOKEN = "admin-secret";

  /**
   * The routes of HttpApi, ScheduleRoutes and RerunRoutes (the HTTP API v1 of the README), as
   * "METHOD template": a route added there is added here, and then must be documented.
   */
  private static final Set<String> SERVED = new TreeSet<>(List.of(
      "GET /api/v1/openapi.json",
      "GET /api/v1/workers",
      "GET /api/v1/workers/{name}",
      "GET /api/v1/workers/{name}/stats",
      "POST /api/v1/workers/{name}/runs",
      "POST /api/v1/workers/{name}/rerun-failed",
      "GET /api/v1/runs",
      "GET /api/v1/runs/{runId}",
      "GET /api/v1/runs/{runId}/events",
      "POST /api/v1/runs/{runId}/cancel",
      "POST /api/v1/runs/{runId}/rerun",
      "GET /api/v1/cluster",
      "GET /api/v1/schedules",
      "GET /api/v1/schedules/{name}",
      "PUT /api/v1/schedules/{name}",
      "DELETE /api/v1/schedules/{name}",
      "POST /api/v1/schedules/{name}/pause",
      "POST /api/v1/schedules/{name}/resume",
      "POST /api/v1/schedules/{name}/trigger"));
  /** The routes that need an admin token when tokens are configured. */
  private static final Set<String> ADMIN_ONLY = Set.of(
      "POST /api/v1/runs/{runId}/cancel",
      "POST /api/v1/runs/{runId}/rerun",
      "POST /api/v1/workers/{name}/rerun-failed",
      "PUT /api/v1/schedules/{name}",
      "DELETE /api/v1/schedules/{name}",
      "POST /api/v1/schedules/{name}/pause",
      "POST /api/v1/schedules/{name}/resume");
  /** A schedule definition that fires once a year. */
  private static final String YEARLY = "{\"worker\":\"echo\",\"cron\":\"0 0 3 1 1 *\"}";
  /** What a response without a body is recorded as in {@link #seen}. */
  private static final String NO_CONTENT = "(no content)";

  private final ObjectMapper json = new ObjectMapper();
  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(10)).build();
  private final CountDownLatch release = new CountDownLatch(1);
  /** "METHOD template status media-type" of every response checked against the document. */
  private final Set<String> seen = ConcurrentHashMap.newKeySet();
  private final Map<String, JsonSchema> schemas = new ConcurrentHashMap<>();

  private JsonSchemaFactory schemaFactory;
  private SchemaValidatorsConfig schemaConfig;
  private String docText;
  private JsonNode doc;
  private ActorSystem<Void> system;
  private FaultyTroupe troupe;
  /** Without tokens. */
  private String open;
  /** The API over {@link #troupe}: the node, failing on request. */
  private String faulty;
  /** With a client and an admin token, over the node itself. */
  private String secured;
  private String finishedRunId;

  @BeforeAll
  void start() throws Exception {
    try (InputStream in = getClass().getClassLoader().getResourceAsStream(DOC)) {
      assertThat(in).as(DOC + " on the classpath").isNotNull();
      docText = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    doc = json.readTree(docText);
    schemaFactory = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V4, b -> b
        .metaSchema(OpenApi30.getInstance()).defaultMetaSchemaIri(OpenApi30.getInstance().getIri()));
    schemaConfig = SchemaValidatorsConfig.builder().pathType(PathType.JSON_POINTER)
        .formatAssertionsEnabled(true).build();

    String db = "jdbc:h2:file:" + Files.createTempDirectory("troupe-openapi").resolve("t")
        + ";DB_CLOSE_ON_EXIT=FALSE";
    system = ActorSystem.create(Behaviors.empty(), "troupe", TroupeConfig.withDefaults(ConfigFactory.parseString(
        "troupe.db.url = \"" + db + "\"\n"
            + "troupe.discover-modules = off\n"
            + "troupe.http { enabled = on, host = 127.0.0.1, port = 0, max-body-bytes = 4096,"
            + " wait-timeout = 2s }\n"
            // small, so that a chatty run overflows its replay buffer (a "gap" status event) and
            // a run's stream is forgotten after two more runs of its worker (outcome only)
            + "troupe.worker.stream { replay-buffer = 8, retained-streams = 2 }\n"
            + "pekko.remote.artery.canonical.port = 0\n"
            + "pekko.coordinated-shutdown.exit-jvm = off\n"
            + "pekko.coordinated-shutdown.run-by-jvm-shutdown-hook = off\n")));
    TroupeNode node = TroupeNode.start(system);
    node.register("echo", WorkerConfig.DEFAULT, ctx -> CompletableFuture.completedFuture(ctx.payload()));
    node.register("steps", WorkerConfig.DEFAULT.withTags(List.of("demo")).withDescription("three steps"),
        ctx -> {
          ctx.info("starting");
          for (int i = 1; i <= 3; i++) {
            ctx.emit(ctx.newObject().put("step", i));
          }
          ctx.log("warn", null);
          return CompletableFuture.completedFuture(ctx.newObject().put("steps", 3));
        });
    // chatty and brief keep their streams in memory only: they show the documented gap notices
    node.register("chatty", WorkerConfig.DEFAULT.withDurableStream(false), ctx -> {
      for (int i = 1; i <= 12; i++) {
        ctx.emit(json.getNodeFactory().numberNode(i));
      }
      return CompletableFuture.completedFuture(null);
    });
    node.register("brief", WorkerConfig.DEFAULT.withDurableStream(false), ctx -> CompletableFuture.completedFuture(
        json.getNodeFactory().textNode("done")));
    node.register("failing", WorkerConfig.DEFAULT.withRetry(RetryPolicy.NONE), ctx -> {
      throw new PermanentFailure("no, never");
    });
    node.register("flaky", WorkerConfig.DEFAULT.withRetry(
        RetryPolicy.of(3, Duration.ofMillis(50), Duration.ofMillis(100))), ctx -> {
          if (ctx.attempt() < 2) {
            throw new TransientFailure("first attempt fails");
          }
          return CompletableFuture.completedFuture(ctx.newObject().put("attempt", ctx.attempt()));
        });
    BlockingWorker waits = ctx -> {
      ctx.emit(ctx.newObject().put("waiting", true));
      ctx.sleep(Duration.ofMinutes(1));
      return ctx.newObject();
    };
    node.registerBlocking("waiting", WorkerConfig.DEFAULT, waits);
    node.registerBlocking("single", WorkerConfig.DEFAULT.withMaxConcurrent(1).withQueueCapacity(10)
        .withRole(null).withRetry(RetryPolicy.NONE), waits);
    node.registerBlocking("narrow", WorkerConfig.DEFAULT.withMaxConcurrent(1).withQueueCapacity(0)
        .withRetry(RetryPolicy.NONE), ctx -> {
          release.await();
          return ctx.newObject();
        });
    HttpSettings settings = HttpSettings.fromConfig(system.settings().config());
    open = base(HttpServer.start(node, settings));
    secured = base(HttpServer.start(node, new HttpSettings(true, "127.0.0.1", 0,
        settings.maxBodyBytes(), settings.maxInflightBodyBytes(), settings.maxDrainedBodyBytes(),
        settings.waitTimeout(),
        settings.requestTimeout(),
        settings.sseKeepAlive(), settings.eventLogLimit(), settings.metricsPublic(), List.of(CLIENT_TOKEN), List.of(ADMIN_TOKEN), settings.cors())));
    troupe = new FaultyTroupe(node);
    faulty = base(Http.get(system).newServerAt("127.0.0.1", 0)
        .bind(new HttpApi(troupe, settings, NodeJson.mapper(), node.metrics(),
            () -> troupe.or(node.clusterView()::snapshot)).routes()));

    HttpResponse<String> r = send(open, "POST", "/api/v1/workers/echo/runs?wait=true",
        "{\"payload\":{\"a\":1}}");
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    finishedRunId = json.readTree(r.body()).get("runId").asText();
  }

  private static String base(CompletionStage<ServerBinding> binding)
      throws Exception {
    return "http://127.0.0.1:" + binding.toCompletableFuture().get(20, TimeUnit.SECONDS)
        .localAddress().getPort();
  }

  @AfterAll
  void stop() throws Exception {
    release.countDown();
    if (system != null) {
      system.terminate();
      system.getWhenTerminated().toCompletableFuture().get(60, TimeUnit.SECONDS);
    }
  }

  // the document itself

  @Test
  @Order(1)
  void theDocumentIsValidOpenApi303() {
    // when
    ParseOptions options = new ParseOptions();
    options.setResolve(true);
    SwaggerParseResult result = new OpenAPIV3Parser().readContents(docText, null, options);
    // then
    assertThat(result.getMessages()).as("swagger-parser messages").isEmpty();
    OpenAPI api = result.getOpenAPI();
    assertThat(api.getOpenapi()).isEqualTo("3.0.3");
    assertThat(api.getComponents().getSchemas()).containsKeys("Run", "Stats", "Worker", "Accepted",
        "RunPage", "Error");
    var bearer = api.getComponents().getSecuritySchemes().get("bearerAuth");
    assertThat(bearer.getType().toString()).isEqualTo("http");
    assertThat(bearer.getScheme()).isEqualTo("bearer");
    assertThat(api.getSecurity()).anySatisfy(s -> assertThat(s).containsKey("bearerAuth"));
    // every error status the API answers is documented, as an Error, somewhere
    for (String status : List.of("400", "401", "403", "404", "409", "413", "415", "429", "503")) {
      assertThat(operations()).as("some operation documents " + status)
          .anySatisfy((key, op) -> assertThat(op.path("responses").has(status)).isTrue());
    }
    forEachResponse((key, status, response) -> {
      if (status.startsWith("4") || status.startsWith("5")) {
        assertThat(response.path("content").path(JSON).path("schema").path("$ref").asText())
            .as(key + " " + status).isEqualTo("#/components/schemas/Error");
        assertThat(response.path("x-error-codes").isArray()).as(key + " " + status + " x-error-codes")
            .isTrue();
      }
      if (status.equals("429") || status.equals("503")) {
        assertThat(response.path("headers").has("Retry-After")).as(key + " " + status).isTrue();
      }
    });
    // every operation but the document itself needs a token when tokens are configured
    operations().forEach((key, op) -> {
      if (!key.equals("GET /api/v1/openapi.json")) {
        assertThat(op.path("responses").has("401")).as(key + " documents 401").isTrue();
        assertThat(op.has("security")).as(key + " keeps the global security").isFalse();
      }
    });
  }

  @Test
  @Order(2)
  void everyComponentSchemaCompilesAndItsExampleMatches() {
    doc.path("components").path("schemas").fields().forEachRemaining(e -> {
      JsonSchema schema = schema("/components/schemas/" + e.getKey());
      schema.initializeValidators();
      if (e.getValue().has("example")) {
        assertValid(e.getValue().get("example"), "/components/schemas/" + e.getKey(),
            "example of " + e.getKey());
      }
    });
  }

  /** The validation is not lenient: wrong shapes of a run and of an error do not pass. */
  @Test
  @Order(3)
  void responsesOfTheWrongShapeDoNotPass() throws Exception {
    ObjectNode run = (ObjectNode) json.readTree(get(open, "/api/v1/runs/" + finishedRunId).body());
    assertThat(violations(run, "/components/schemas/Run")).isEmpty();
    assertThat(violations(run.deepCopy().put("createdAt", 1_700_000_000_000L), "/components/schemas/Run"))
        .as("a time as epoch millis").isNotEmpty();
    assertThat(violations(run.deepCopy().put("createdAt", "yesterday"), "/components/schemas/Run"))
        .as("a time that is not ISO-8601").isNotEmpty();
    assertThat(violations(run.deepCopy().putNull("worker"), "/components/schemas/Run"))
        .as("null where not nullable").isNotEmpty();
    assertThat(violations(run.deepCopy().put("status", "DONE"), "/components/schemas/Run"))
        .as("an unknown status").isNotEmpty();
    ObjectNode missing = run.deepCopy();
    missing.remove("tags");
    assertThat(violations(missing, "/components/schemas/Run")).as("a missing field").isNotEmpty();
    assertThat(violations(run.deepCopy().put("extra", 1), "/components/schemas/Run"))
        .as("an undocumented field").isNotEmpty();
    assertThat(violations(run.deepCopy().put("attempts", "1"), "/components/schemas/Run"))
        .as("a number as a string").isNotEmpty();
    assertThat(violations(run.deepCopy().putNull("finishedAt"), "/components/schemas/Run"))
        .as("null where nullable").isEmpty();
    assertThat(violations(json.readTree("{\"error\":{\"code\":\"X\"}}"), "/components/schemas/Error"))
        .as("an error without message").isNotEmpty();
    assertThat(violations(json.readTree("{\"code\":\"X\",\"message\":\"m\"}"), "/components/schemas/Error"))
        .as("an error not wrapped in {error}").isNotEmpty();
  }

  @Test
  @Order(4)
  void theDocumentListsExactlyTheRoutesTheNodeServes() throws Exception {
    // the document's routes are the API's
    assertThat(new TreeSet<>(operations().keySet())).isEqualTo(SERVED);
    // each documented route is served, and no other method on its path
    for (Iterator<String> paths = doc.path("paths").fieldNames(); paths.hasNext(); ) {
      String template = paths.next();
      String path = template.replace("{name}", "echo").replace("{runId}", finishedRunId);
      for (String method : List.of("GET", "POST", "PUT", "PATCH", "DELETE")) {
        HttpResponse<String> r = send(open, method, path, method.equals("GET") ? null : "{}");
        if (SERVED.contains(method + " " + template)) {
          assertThat(isRejection(r)).as(method + " " + path + " is served: " + r.statusCode() + " " + r.body())
              .isFalse();
          check(method, template, r);
        } else {
          assertThat(isRejection(r)).as(method + " " + path + " is not served: " + r.statusCode() + " " + r.body())
              .isTrue();
        }
      }
    }
    // and nothing else under /api
    for (String path : List.of("/api/v1", "/api/v1/", "/api/v1/nothing", "/api/v1/workers/echo/nothing",
        "/api/v1/runs/" + finishedRunId + "/nothing", "/api/v1/workers/echo/runs/x", "/api/v2/workers",
        "/api/workers", "/api/v1/schedules/echo/nothing", "/api/v1/schedules/echo/trigger/x",
        "/api/v1/runs/" + finishedRunId + "/rerun/x")) {
      HttpResponse<String> r = get(open, path);
      assertThat(isRejection(r)).as("GET " + path + " is not served: " + r.statusCode() + " " + r.body())
          .isTrue();
    }
  }

  // workers

  @Test
  void workersAndTheirStats() throws Exception {
    check("GET", "/api/v1/workers", get(open, "/api/v1/workers"), 200);
    check("GET", "/api/v1/workers/{name}", get(open, "/api/v1/workers/steps"), 200);
    check("GET", "/api/v1/workers/{name}", get(open, "/api/v1/workers/no-such"), 404);
    check("GET", "/api/v1/workers/{name}", get(open, "/api/v1/workers/Not_A_Name"), 400);
    check("GET", "/api/v1/workers/{name}/stats", get(open, "/api/v1/workers/echo/stats"), 200);
    check("GET", "/api/v1/workers/{name}/stats", get(open, "/api/v1/workers/no-such/stats"), 404);
    check("GET", "/api/v1/workers/{name}/stats", get(open, "/api/v1/workers/Not_A_Name/stats"), 400);
    // a worker that never ran has null lastRunAt
    JsonNode fresh = body(check("GET", "/api/v1/workers/{name}/stats", get(open, "/api/v1/workers/brief/stats"), 200));
    JsonNode used = body(check("GET", "/api/v1/workers/{name}/stats", get(open, "/api/v1/workers/echo/stats"), 200));
    assertThat(used.get("lastRunAt").isTextual()).isTrue();
    assertThat(fresh.get("worker").asText()).isEqualTo("brief");
  }

  // calls

  @Test
  void callingAWorker() throws Exception {
    String path = "/api/v1/workers/{name}/runs";
    HttpResponse<String> accepted = check("POST", path, post(open, "/api/v1/workers/echo/runs", "{\"payload\":[1,2]}"), 202);
    String runId = body(accepted).get("runId").asText();
    assertThat(accepted.headers().firstValue("Location")).contains("/api/v1/runs/" + runId);
    // an empty body, and every option
    check("POST", path, post(open, "/api/v1/workers/echo/runs", ""), 202);
    String options = "{\"payload\":null,\"timeoutMs\":5000,\"idempotencyKey\":\"k-1\",\"tags\":[\"a\",\"b\"]}";
    check("POST", path, post(open, "/api/v1/workers/echo/runs", options), 202);
    JsonNode again = body(check("POST", path, post(open, "/api/v1/workers/echo/runs", options), 202));
    assertThat(again.get("existing").asBoolean()).isTrue();
    // waiting for the finished run: succeeded, failed, retried, and one that takes too long
    JsonNode done = body(check("POST", path, post(open, "/api/v1/workers/steps/runs?wait=true", "{\"tags\":[\"x\"]}"), 200));
    assertThat(done.get("status").asText()).isEqualTo("SUCCEEDED");
    JsonNode failed = body(check("POST", path, post(open, "/api/v1/workers/failing/runs?wait=true", "{}"), 200));
    assertThat(failed.get("error").get("code").asText()).isEqualTo("PERMANENT_ERROR");
    JsonNode retried = body(check("POST", path, post(open, "/api/v1/workers/flaky/runs?wait=true", "{}"), 200));
    assertThat(retried.get("attempts").asInt()).isEqualTo(2);
    JsonNode late = body(check("POST", path, post(open, "/api/v1/workers/waiting/runs?wait=true", "{}"), 202));
    cancelQuietly(late.get("runId").asText());
    // streaming the run
    HttpResponse<String> stream = check("POST", path, send(open, "POST", "/api/v1/workers/steps/runs",
        "{}", "Accept", SSE), 200);
    assertThat(frames(stream.body())).extracting(f -> f.event).contains("status", "log", "message", "result");
    // bad requests
    for (String bad : List.of("{not json", "[1,2]", "{\"timeoutMs\":-5}", "{\"timeoutMs\":\"soon\"}",
        "{\"timeoutMs\":1.5}", "{\"idempotencyKey\":7}", "{\"tags\":\"a\"}")) {
      check("POST", path, post(open, "/api/v1/workers/echo/runs", bad), 400);
    }
    check("POST", path, post(open, "/api/v1/workers/Not_A_Name/runs", "{}"), 400);
    check("POST", path, send(open, "POST", "/api/v1/workers/steps/runs", "{not json", "Accept", SSE), 400);
    check("POST", path, post(open, "/api/v1/workers/no-such/runs", "{}"), 404);
    check("POST", path, post(open, "/api/v1/workers/echo/runs", "{\"payload\":\"" + "x".repeat(5000) + "\"}"), 413);
    check("POST", path, send(open, "POST", "/api/v1/workers/echo/runs", "hi", "Content-Type", "text/plain"), 415);
    check("POST", path, send(open, "POST", "/api/v1/workers/echo/runs", null), 415);
  }

  @Test
  void aFullQueueIsTooManyRequests() throws Exception {
    check("POST", "/api/v1/workers/{name}/runs", post(open, "/api/v1/workers/narrow/runs", "{}"), 202);
    await().atMost(Duration.ofSeconds(10)).until(() ->
        body(get(open, "/api/v1/workers/narrow/stats")).get("running").asInt() == 1);
    check("POST", "/api/v1/workers/{name}/runs", post(open, "/api/v1/workers/narrow/runs", "{}"), 429);
  }

  // runs

  @Test
  void runsByIdQueuedRunningAndFinished() throws Exception {
    String template = "/api/v1/runs/{runId}";
    // given one run of "single" running and one queued behind it
    String running = body(post(open, "/api/v1/workers/single/runs", "{}")).get("runId").asText();
    String queued = body(post(open, "/api/v1/workers/single/runs", "{\"tags\":[\"second\"]}")).get("runId").asText();
    await().atMost(Duration.ofSeconds(10)).until(() ->
        body(get(open, "/api/v1/runs/" + running)).get("status").asText().equals("RUNNING"));
    try {
      // then
      JsonNode r = body(check("GET", template, get(open, "/api/v1/runs/" + running), 200));
      assertThat(r.get("finishedAt").isNull()).isTrue();
      JsonNode q = body(check("GET", template, get(open, "/api/v1/runs/" + queued), 200));
      assertThat(q.get("status").asText()).isEqualTo("QUEUED");
      assertThat(q.get("startedAt").isNull()).isTrue();
    } finally {
      check("POST", "/api/v1/runs/{runId}/cancel", post(open, "/api/v1/runs/" + queued + "/cancel", ""), 202);
      check("POST", "/api/v1/runs/{runId}/cancel", post(open, "/api/v1/runs/" + running + "/cancel", ""), 202);
    }
    await().atMost(Duration.ofSeconds(10)).until(() ->
        body(get(open, "/api/v1/runs/" + queued)).get("status").asText().equals("CANCELLED"));
    JsonNode cancelled = body(check("GET", template, get(open, "/api/v1/runs/" + queued), 200));
    assertThat(cancelled.get("error").get("code").asText()).isEqualTo("CANCELLED");
    check("GET", template, get(open, "/api/v1/runs/" + finishedRunId), 200);
    check("GET", template, get(open, "/api/v1/runs/01JD3Q7R8V3K5M9W2X4Y6Z8A0B-echo"), 404);
    check("GET", template, get(open, "/api/v1/runs/nonsense"), 404);
  }

  @Test
  void eventsOfARunAndResumingThem() throws Exception {
    String template = "/api/v1/runs/{runId}/events";
    String steps = body(post(open, "/api/v1/workers/steps/runs?wait=true", "{}")).get("runId").asText();
    List<Frame> all = frames(check("GET", template, get(open, "/api/v1/runs/" + steps + "/events"), 200).body());
    assertThat(all.get(all.size() - 1).event).isEqualTo("result");
    List<Frame> rest = frames(check("GET", template, send(open, "GET", "/api/v1/runs/" + steps + "/events",
        null, "Last-Event-ID", all.get(2).id), 200).body());
    assertThat(rest.get(0).id).isEqualTo(all.get(3).id);
    // resuming at the end: the outcome again
    List<Frame> again = frames(check("GET", template, send(open, "GET", "/api/v1/runs/" + steps + "/events",
        null, "Last-Event-ID", all.get(all.size() - 1).id), 200).body());
    assertThat(again).extracting(f -> f.id + " " + f.event).containsExactly(all.get(all.size() - 1).id + " result");
    // retries show as status events with the attempt's error
    String flaky = body(post(open, "/api/v1/workers/flaky/runs?wait=true", "{}")).get("runId").asText();
    List<Frame> retried = frames(check("GET", template, get(open, "/api/v1/runs/" + flaky + "/events"), 200).body());
    assertThat(retried).anySatisfy(f -> assertThat(f.data).contains("RETRYING").contains("TRANSIENT_ERROR"));
    // failures end with an error event
    String failing = body(post(open, "/api/v1/workers/failing/runs?wait=true", "{}")).get("runId").asText();
    List<Frame> failed = frames(check("GET", template, get(open, "/api/v1/runs/" + failing + "/events"), 200).body());
    assertThat(failed.get(failed.size() - 1).event).isEqualTo("error");
    // events no longer in the replay buffer: a gap
    String chatty = body(post(open, "/api/v1/workers/chatty/runs?wait=true", "{}")).get("runId").asText();
    List<Frame> gap = frames(check("GET", template, get(open, "/api/v1/runs/" + chatty + "/events"), 200).body());
    assertThat(gap.get(0).data).contains("\"gap\":{");
    // a run whose stream is no longer kept: its outcome only
    String brief = body(post(open, "/api/v1/workers/brief/runs?wait=true", "{}")).get("runId").asText();
    for (int i = 0; i < 3; i++) {
      post(open, "/api/v1/workers/brief/runs?wait=true", "{}");
    }
    List<Frame> outcome = frames(check("GET", template, get(open, "/api/v1/runs/" + brief + "/events"), 200).body());
    assertThat(outcome).extracting(f -> f.event).containsExactly("status", "result");
    // the finished run's events at once as JSON, with their times
    JsonNode log = body(check("GET", template, send(open, "GET", "/api/v1/runs/" + steps + "/events",
        null, "Accept", JSON), 200));
    assertThat(log.get("events")).hasSize(all.size());
    assertThat(log.get("events").get(log.get("events").size() - 1).get("type").asText()).isEqualTo("result");
    // errors
    check("GET", template, send(open, "GET", "/api/v1/runs/" + steps + "/events", null, "Last-Event-ID", "abc"), 400);
    check("GET", template, get(open, "/api/v1/runs/01JD3Q7R8V3K5M9W2X4Y6Z8A0B-steps/events"), 404);
  }

  @Test
  void cancellingARun() throws Exception {
    String template = "/api/v1/runs/{runId}/cancel";
    String runId = body(post(open, "/api/v1/workers/waiting/runs", "{}")).get("runId").asText();
    CompletableFuture<HttpResponse<String>> stream = http.sendAsync(request(open, "GET",
        "/api/v1/runs/" + runId + "/events", null).build(), HttpResponse.BodyHandlers.ofString());
    await().atMost(Duration.ofSeconds(10)).until(() ->
        body(get(open, "/api/v1/runs/" + runId)).get("status").asText().equals("RUNNING"));
    // a running run's events are not read as JSON
    check("GET", "/api/v1/runs/{runId}/events", send(open, "GET", "/api/v1/runs/" + runId + "/events",
        null, "Accept", JSON), 409);
    // when
    check("POST", template, post(open, "/api/v1/runs/" + runId + "/cancel", ""), 202);
    // then
    List<Frame> frames = frames(check("GET", "/api/v1/runs/{runId}/events", stream.get(20, TimeUnit.SECONDS), 200).body());
    assertThat(frames.get(frames.size() - 1).event).isEqualTo("error");
    check("POST", template, post(open, "/api/v1/runs/" + runId + "/cancel", ""), 409);
    check("POST", template, post(open, "/api/v1/runs/01JD3Q7R8V3K5M9W2X4Y6Z8A0B-waiting/cancel", ""), 404);
    check("POST", template, post(open, "/api/v1/runs/nonsense/cancel", ""), 404);
  }

  /**
   * GET /api/v1/runs over the run history ({@code Troupe.runs}): every page, filtered and not,
   * and its bad parameters.
   */
  @Test
  void listingRuns() throws Exception {
    String template = "/api/v1/runs";
    // bad parameters are rejected before the history is read
    for (String query : List.of("limit=abc", "limit=0", "limit=501", "status=NOPE", "worker=Not_A_Name",
        "from=yesterday", "to=2026-13-01T00:00:00Z", "tag=",
        "from=2026-12-02T00:00:00Z&to=2026-12-01T00:00:00Z")) {
      check("GET", template, get(open, template + "?" + query), 400);
    }
    // given finished runs
    for (int i = 0; i < 3; i++) {
      post(open, "/api/v1/workers/echo/runs?wait=true", "{\"payload\":{\"i\":" + i + "}}");
    }
    // then every page matches, filtered or not
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(
        body(check("GET", template, get(open, template + "?worker=echo&status=succeeded"), 200))
            .get("runs").size()).isGreaterThanOrEqualTo(3));
    check("GET", template, get(open, template), 200);
    check("GET", template, get(open, template + "?tag=none-has-it&from=2020-01-01T00:00:00Z"), 200);
    String cursor = null;
    int pages = 0;
    do {
      JsonNode page = body(check("GET", template, get(open, template + "?worker=echo&limit=2"
          + (cursor == null ? "" : "&cursor=" + URLEncoder.encode(cursor, StandardCharsets.UTF_8))), 200));
      assertThat(page.get("runs").size()).isBetween(0, 2);
      cursor = page.get("nextCursor").isNull() ? null : page.get("nextCursor").asText();
      pages++;
    } while (cursor != null && pages < 50);
    assertThat(pages).isGreaterThan(1);
  }

  // schedules

  @Test
  void schedulesArePutReadListedPausedResumedTriggeredAndDeleted() throws Exception {
    String one = "/api/v1/schedules/{name}";
    // when
    JsonNode full = body(check("PUT", one, send(open, "PUT", "/api/v1/schedules/contract-full",
        "{\"worker\":\"echo\",\"cron\":\"0 30 2 * * *\",\"timezone\":\"Europe/Berlin\","
            + "\"payload\":{\"a\":1},\"misfire\":\"run-once\",\"priority\":7}"), 200));
    JsonNode minimal = body(check("PUT", one, send(open, "PUT", "/api/v1/schedules/contract-minimal",
        YEARLY), 200));
    // then
    assertThat(full.get("nextFireTimes")).hasSize(5);
    assertThat(minimal.get("timezone").asText()).isEqualTo("UTC");
    assertThat(minimal.get("misfire").asText()).isEqualTo("skip");
    assertThat(minimal.get("priority").asInt()).isEqualTo(4);
    assertThat(minimal.get("payload")).isEqualTo(json.createObjectNode());
    assertThat(violations(((ObjectNode) full.deepCopy()).put("extra", 1), "/components/schemas/Schedule"))
        .as("an undocumented field").isNotEmpty();
    assertThat(violations(((ObjectNode) full.deepCopy()).set("nextFireTimes",
        json.createArrayNode().add(1_700_000_000_000L)), "/components/schemas/Schedule"))
        .as("a fire time as epoch millis").isNotEmpty();
    check("GET", one, get(open, "/api/v1/schedules/contract-full"), 200);
    check("GET", "/api/v1/schedules", get(open, "/api/v1/schedules"), 200);
    List<String> listed = new ArrayList<>();
    String cursor = null;
    do {
      JsonNode page = body(check("GET", "/api/v1/schedules", get(open, "/api/v1/schedules?limit=1"
          + (cursor == null ? "" : "&cursor=" + URLEncoder.encode(cursor, StandardCharsets.UTF_8))), 200));
      page.get("schedules").forEach(s -> listed.add(s.get("name").asText()));
      cursor = page.get("nextCursor").isNull() ? null : page.get("nextCursor").asText();
    } while (cursor != null && listed.size() < 50);
    assertThat(listed).contains("contract-full", "contract-minimal");

    // when paused, resumed and triggered
    JsonNode paused = body(check("POST", one + "/pause",
        post(open, "/api/v1/schedules/contract-minimal/pause", ""), 200));
    JsonNode resumed = body(check("POST", one + "/resume",
        post(open, "/api/v1/schedules/contract-minimal/resume", "{}"), 200));
    HttpResponse<String> triggered = check("POST", one + "/trigger",
        post(open, "/api/v1/schedules/contract-minimal/trigger", ""), 202);
    // then
    assertThat(paused.get("paused").asBoolean()).isTrue();
    assertThat(paused.get("nextFireTimes")).isEmpty();
    assertThat(resumed.get("paused").asBoolean()).isFalse();
    String runId = body(triggered).get("runId").asText();
    assertThat(triggered.headers().firstValue("Location")).contains("/api/v1/runs/" + runId);
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(
        body(get(open, "/api/v1/schedules/contract-minimal")).get("recentRuns").get(0).get("status")
            .asText()).isEqualTo("SUCCEEDED"));
    JsonNode recent = body(check("GET", one, get(open, "/api/v1/schedules/contract-minimal"), 200))
        .get("recentRuns").get(0);
    assertThat(recent.get("runId").asText()).isEqualTo(runId);
    // a fire that started no run (a node cannot be made to give one on demand) is documented too
    ObjectNode noRun = ((ObjectNode) recent.deepCopy()).putNull("runId").putNull("status")
        .put("error", "worker 'echo' is not registered on this node");
    assertThat(violations(noRun, "/components/schemas/ScheduleRun")).isEmpty();
    assertThat(violations(noRun.deepCopy().put("status", "DONE"), "/components/schemas/ScheduleRun"))
        .as("an unknown status").isNotEmpty();
    JsonNode run = body(check("GET", "/api/v1/runs/{runId}", get(open, "/api/v1/runs/" + runId), 200));
    assertThat(run.get("schedule").get("name").asText()).isEqualTo("contract-minimal");

    // when deleted
    for (String name : List.of("contract-full", "contract-minimal")) {
      check("DELETE", one, send(open, "DELETE", "/api/v1/schedules/" + name, null), 204);
    }
    // then
    check("GET", one, get(open, "/api/v1/schedules/contract-full"), 404);
    check("DELETE", one, send(open, "DELETE", "/api/v1/schedules/contract-full", null), 404);
  }

  @Test
  void badSchedulesAreRefused() throws Exception {
    String one = "/api/v1/schedules/{name}";
    for (String query : List.of("limit=0", "limit=501", "limit=x", "cursor=%25%25")) {
      check("GET", "/api/v1/schedules", get(open, "/api/v1/schedules?" + query), 400);
    }
    for (String bad : List.of("{\"worker\":\"echo\",\"cron\":\"61 * * * * *\"}",
        "{\"worker\":\"echo\",\"cron\":\"* * *\"}",
        "{\"worker\":\"echo\",\"cron\":\"* * * * *\",\"timezone\":\"Mars/Olympus\"}",
        "{\"worker\":\"echo\",\"cron\":\"* * * * *\",\"misfire\":\"sometimes\"}",
        "{\"worker\":\"echo\",\"cron\":\"* * * * *\",\"priority\":12}",
        "{\"worker\":\"echo\",\"cron\":\"* * * * *\",\"priority\":\"high\"}",
        "{\"cron\":\"* * * * *\"}", "{\"worker\":\"echo\"}", "{\"worker\":7,\"cron\":\"* * * * *\"}")) {
      check("PUT", one, send(open, "PUT", "/api/v1/schedules/contract-refused", bad), 400);
    }
    check("PUT", one, send(open, "PUT", "/api/v1/schedules/contract-refused",
        "{\"worker\":\"no-such\",\"cron\":\"* * * * *\"}"), 404);
    check("GET", one, get(open, "/api/v1/schedules/contract-refused"), 404);
    // names that break the rule, and schedules that do not exist, on every route of one
    check("GET", one, get(open, "/api/v1/schedules/Not_A_Name"), 400);
    check("PUT", one, send(open, "PUT", "/api/v1/schedules/Not_A_Name", YEARLY), 400);
    check("DELETE", one, send(open, "DELETE", "/api/v1/schedules/Not_A_Name", null), 400);
    for (String action : List.of("pause", "resume", "trigger")) {
      check("POST", one + "/" + action, post(open, "/api/v1/schedules/Not_A_Name/" + action, ""), 400);
      check("POST", one + "/" + action, post(open, "/api/v1/schedules/no-such/" + action, ""), 404);
    }
  }

  /** The routes of schedules and re-runs that read a body: declared JSON, an object, bounded. */
  @Test
  void bodiesOfSchedulesAndRerunsAreJsonObjectsWithinTheLimit() throws Exception {
    Map<String, String> routes = new LinkedHashMap<>();
    routes.put("PUT /api/v1/schedules/{name}", "/api/v1/schedules/contract-body");
    for (String action : List.of("pause", "resume", "trigger")) {
      routes.put("POST /api/v1/schedules/{name}/" + action, "/api/v1/schedules/contract-body/" + action);
    }
    routes.put("POST /api/v1/runs/{runId}/rerun", "/api/v1/runs/" + finishedRunId + "/rerun");
    routes.put("POST /api/v1/workers/{name}/rerun-failed", "/api/v1/workers/echo/rerun-failed");
    for (var e : routes.entrySet()) {
      String method = e.getKey().substring(0, e.getKey().indexOf(' '));
      String template = e.getKey().substring(e.getKey().indexOf(' ') + 1);
      String path = e.getValue();
      check(method, template, send(open, method, path, "hi", "Content-Type", "text/plain"), 415);
      check(method, template, send(open, method, path, null), 415);
      check(method, template, send(open, method, path, "{\"payload\":\"" + "x".repeat(5000) + "\"}"), 413);
      check(method, template, send(open, method, path, "{not json"), 400);
      check(method, template, send(open, method, path, "[1,2]"), 400);
    }
    check("GET", "/api/v1/schedules/{name}", get(open, "/api/v1/schedules/contract-body"), 404);
  }

  // re-runs

  @Test
  void rerunningARun() throws Exception {
    String template = "/api/v1/runs/{runId}/rerun";
    // when
    HttpResponse<String> created = check("POST", template,
        post(open, "/api/v1/runs/" + finishedRunId + "/rerun", ""), 201);
    // then
    String rerunId = body(created).get("runId").asText();
    assertThat(body(created).get("rerunOf").asText()).isEqualTo(finishedRunId);
    assertThat(created.headers().firstValue("Location")).contains("/api/v1/runs/" + rerunId);
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(
        body(get(open, "/api/v1/runs/" + finishedRunId)).get("rerunBy"))
        .extracting(JsonNode::asText).contains(rerunId));
    check("GET", "/api/v1/runs/{runId}", get(open, "/api/v1/runs/" + finishedRunId), 200);
    JsonNode rerun = body(check("GET", "/api/v1/runs/{runId}", get(open, "/api/v1/runs/" + rerunId), 200));
    assertThat(rerun.get("rerunOf").asText()).isEqualTo(finishedRunId);
    // a run that has not finished, and runs that do not exist
    String running = body(post(open, "/api/v1/workers/waiting/runs", "{}")).get("runId").asText();
    try {
      check("POST", template, post(open, "/api/v1/runs/" + running + "/rerun", ""), 409);
    } finally {
      cancelQuietly(running);
    }
    check("POST", template, post(open, "/api/v1/runs/01JD3Q7R8V3K5M9W2X4Y6Z8A0B-echo/rerun", ""), 404);
    check("POST", template, post(open, "/api/v1/runs/nonsense/rerun", ""), 404);
  }

  @Test
  void rerunningAWorkersFailedRuns() throws Exception {
    String template = "/api/v1/workers/{name}/rerun-failed";
    // given a failed run in the run history
    Instant before = Instant.now();
    String failed = body(post(open, "/api/v1/workers/failing/runs?wait=true", "{}")).get("runId").asText();
    await().atMost(Duration.ofSeconds(10)).until(() -> body(get(open,
        "/api/v1/runs?worker=failing&status=FAILED&limit=500")).get("runs").findValuesAsText("runId")
        .contains(failed));
    // when
    JsonNode none = body(check("POST", template, post(open, "/api/v1/workers/failing/rerun-failed",
        "{\"since\":\"" + Instant.now().plusSeconds(3600) + "\"}"), 202));
    JsonNode some = body(check("POST", template, post(open, "/api/v1/workers/failing/rerun-failed",
        "{\"since\":\"" + before + "\"}"), 202));
    // then
    assertThat(none.get("rerun").asInt()).isZero();
    assertThat(some.get("rerun").asInt()).isPositive();
    check("POST", template, post(open, "/api/v1/workers/echo/rerun-failed", "{\"since\":null}"), 202);
    // refusals
    check("POST", template, post(open, "/api/v1/workers/failing/rerun-failed", "{\"since\":\"yesterday\"}"), 400);
    check("POST", template, post(open, "/api/v1/workers/failing/rerun-failed", "{\"since\":5}"), 400);
    check("POST", template, post(open, "/api/v1/workers/Not_A_Name/rerun-failed", ""), 400);
    check("POST", template, post(open, "/api/v1/workers/no-such/rerun-failed", ""), 404);
  }

  // the cluster

  @Test
  void theClusterView() throws Exception {
    // when
    JsonNode cluster = body(check("GET", "/api/v1/cluster", get(open, "/api/v1/cluster"), 200));
    // then: a single node, Up, its own leader, hosting the entities of the workers called so far
    String self = cluster.get("self").asText();
    assertThat(cluster.get("leader").asText()).isEqualTo(self);
    assertThat(cluster.get("members")).hasSize(1);
    JsonNode me = cluster.get("members").get(0);
    assertThat(me.get("address").asText()).isEqualTo(self);
    assertThat(me.get("status").asText()).isEqualTo("Up");
    assertThat(me.get("entitiesKnown").asBoolean()).isTrue();
    assertThat(me.get("entities")).extracting(JsonNode::asText).contains("echo");
    assertThat(cluster.get("unreachable")).isEmpty();
  }

  // authorization

  @Test
  void tokensWhenConfigured() throws Exception {
    for (String route : SERVED) {
      String method = route.substring(0, route.indexOf(' '));
      String template = route.substring(route.indexOf(' ') + 1);
      String path = template.replace("{name}", "echo").replace("{runId}", finishedRunId);
      HttpResponse<String> none = send(secured, method, path, validBody(method));
      HttpResponse<String> wrong = send(secured, method, path, validBody(method),
          "Authorization", "Bearer not-a-token");
      if (template.equals("/api/v1/openapi.json")) {
        check(method, template, none, 200); // public
      } else {
        check(method, template, none, 401);
        check(method, template, wrong, 401);
      }
      if (ADMIN_ONLY.contains(route)) {
        check(method, template, send(secured, method, path, validBody(method),
            "Authorization", "Bearer " + CLIENT_TOKEN), 403);
      }
    }
    // a client reads and triggers schedules, an admin changes them
    String guarded = "/api/v1/schedules/contract-guarded";
    check("PUT", "/api/v1/schedules/{name}", send(secured, "PUT", guarded, YEARLY,
        "Authorization", "Bearer " + ADMIN_TOKEN), 200);
    check("GET", "/api/v1/schedules/{name}", send(secured, "GET", guarded, null,
        "Authorization", "Bearer " + CLIENT_TOKEN), 200);
    check("GET", "/api/v1/schedules", send(secured, "GET", "/api/v1/schedules", null,
        "Authorization", "Bearer " + CLIENT_TOKEN), 200);
    check("POST", "/api/v1/schedules/{name}/trigger", send(secured, "POST", guarded + "/trigger", "",
        "Authorization", "Bearer " + CLIENT_TOKEN), 202);
    check("DELETE", "/api/v1/schedules/{name}", send(secured, "DELETE", guarded, null,
        "Authorization", "Bearer " + ADMIN_TOKEN), 204);
    // a client cannot re-run, an admin can
    check("POST", "/api/v1/runs/{runId}/rerun", send(secured, "POST", "/api/v1/runs/" + finishedRunId + "/rerun",
        "", "Authorization", "Bearer " + ADMIN_TOKEN), 201);
    String runId = body(send(secured, "POST", "/api/v1/workers/waiting/runs", "{}",
        "Authorization", "Bearer " + CLIENT_TOKEN)).get("runId").asText();
    check("POST", "/api/v1/runs/{runId}/cancel", send(secured, "POST", "/api/v1/runs/" + runId + "/cancel",
        "", "Authorization", "Bearer " + CLIENT_TOKEN), 403);
    check("POST", "/api/v1/runs/{runId}/cancel", send(secured, "POST", "/api/v1/runs/" + runId + "/cancel",
        "", "Authorization", "Bearer " + ADMIN_TOKEN), 202);
    check("GET", "/api/v1/runs/{runId}", send(secured, "GET", "/api/v1/runs/" + runId, null,
        "Authorization", "Bearer " + CLIENT_TOKEN), 200);
  }

  // failures the node gives only when things go wrong

  @Test
  void unavailableShuttingDownOverloadedAndInternalFailures() throws Exception {
    Map<Integer, List<Supplier<Throwable>>> faults = new LinkedHashMap<>();
    faults.put(503, List.of(
        () -> new RunRejectedException(RunRejectedException.Reason.UNAVAILABLE, "no answer in time"),
        () -> new RunRejectedException(RunRejectedException.Reason.SHUTTING_DOWN, "shutting down")));
    faults.put(500, List.of(() -> new IllegalStateException("injected by the test")));
    for (var e : faults.entrySet()) {
      for (Supplier<Throwable> fault : e.getValue()) {
        for (String route : SERVED) {
          if (route.equals("GET /api/v1/openapi.json")
              || route.equals("GET /api/v1/cluster") && e.getKey() == 503) {
            continue; // public; the cluster view answers even when members do not
          }
          String method = route.substring(0, route.indexOf(' '));
          String template = route.substring(route.indexOf(' ') + 1);
          String path = template.replace("{name}", "echo").replace("{runId}", finishedRunId);
          troupe.fault = fault;
          try {
            check(method, template, send(faulty, method, path, validBody(method)), e.getKey());
          } finally {
            troupe.fault = null;
          }
        }
      }
    }
    troupe.fault = () -> new RunRejectedException(RunRejectedException.Reason.OVERLOADED, "overloaded");
    try {
      // every route that starts runs
      check("POST", "/api/v1/workers/{name}/runs", post(faulty, "/api/v1/workers/echo/runs", "{}"), 429);
      check("POST", "/api/v1/runs/{runId}/rerun", post(faulty, "/api/v1/runs/" + finishedRunId + "/rerun", ""), 429);
      check("POST", "/api/v1/workers/{name}/rerun-failed", post(faulty, "/api/v1/workers/echo/rerun-failed", ""), 429);
      check("POST", "/api/v1/schedules/{name}/trigger", post(faulty, "/api/v1/schedules/echo/trigger", ""), 429);
    } finally {
      troupe.fault = null;
    }
  }

  // coverage

  @Test
  @Order(Integer.MAX_VALUE)
  void everyDocumentedResponseWasCheckedAgainstARealOne() {
    Set<String> documented = new TreeSet<>();
    operations().forEach((key, op) -> op.path("responses").fields().forEachRemaining(r -> {
      JsonNode response = resolve(r.getValue());
      if (!response.has("content")) {
        documented.add(key + " " + r.getKey() + " " + NO_CONTENT);
      }
      response.path("content").fieldNames().forEachRemaining(media ->
          documented.add(key + " " + r.getKey() + " " + media));
    }));
    assertThat(new TreeSet<>(seen)).as("documented responses seen from the node")
        .containsAll(documented);
    assertThat(documented).containsAll(seen);
  }

  // checking responses against the document

  /** Checks {@code r} against the document and that its status is {@code status}. */
  private HttpResponse<String> check(String method, String template, HttpResponse<String> r, int status)
      throws Exception {
    assertThat(r.statusCode()).as(method + " " + r.uri() + ": " + r.body()).isEqualTo(status);
    return check(method, template, r);
  }

  /**
   * Checks {@code r} against what the document says of {@code method template} for its status:
   * documented status, content type and required headers; a JSON body valid against the schema;
   * each server-sent event's data valid against the schema of its event type; an error code among
   * the response's {@code x-error-codes}.
   */
  private HttpResponse<String> check(String method, String template, HttpResponse<String> r) throws Exception {
    String what = method + " " + r.uri() + " → " + r.statusCode() + " " + r.body();
    JsonNode op = operations().get(method + " " + template);
    assertThat(op).as("documented: " + method + " " + template).isNotNull();
    String status = Integer.toString(r.statusCode());
    assertThat(op.path("responses").has(status)).as("status documented: " + what).isTrue();
    JsonNode response = resolve(op.path("responses").get(status));
    for (Iterator<Map.Entry<String, JsonNode>> it = response.path("headers").fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> h = it.next();
      JsonNode header = resolve(h.getValue());
      Optional<String> value = r.headers().firstValue(h.getKey());
      if (header.path("required").asBoolean()) {
        assertThat(value).as("header " + h.getKey() + ": " + what).isPresent();
      }
      if (value.isPresent() && header.path("schema").path("type").asText().equals("integer")) {
        assertThat(value.get()).as("header " + h.getKey() + ": " + what).matches("\\d+");
      }
    }
    String contentType = r.headers().firstValue("Content-Type").orElse("");
    if (!response.has("content")) {
      assertThat(contentType).as("no content type: " + what).isEmpty();
      assertThat(r.body()).as("no body: " + what).isEmpty();
      seen.add(method + " " + template + " " + status + " " + NO_CONTENT);
      return r;
    }
    String media = contentType.split(";")[0].trim().toLowerCase(Locale.ROOT);
    String mediaPointer = pointerOf(op, status) + "/content/" + escape(media);
    JsonNode content = doc.at(mediaPointer);
    assertThat(content.isMissingNode()).as("content type " + contentType + " documented: " + what).isFalse();
    if (media.equals(JSON)) {
      JsonNode body = json.readTree(r.body());
      assertValid(body, schemaPointer(mediaPointer), what);
      if (response.has("x-error-codes")) {
        assertThat(response.get("x-error-codes")).extracting(JsonNode::asText).as("error code of " + what)
            .contains(body.path("error").path("code").asText());
      }
    } else if (media.equals(SSE)) {
      List<Frame> frames = frames(r.body());
      assertThat(frames).as("events of " + what).isNotEmpty();
      long previous = -1;
      for (Frame f : frames) {
        assertThat(content.path("x-sse-data").has(f.event)).as("event type " + f.event + " documented").isTrue();
        String target = content.path("x-sse-data").get(f.event).asText();
        JsonNode data = json.readTree(f.data);
        if (target.startsWith("#/")) {
          assertValid(data, target.substring(1), "event " + f + " of " + what);
        }
        if (f.id != null) {
          long id = Long.parseLong(f.id);
          assertThat(previous < 0 || id == previous + 1).as("ids without gaps: " + frames).isTrue();
          previous = id;
        }
      }
      assertThat(frames.get(frames.size() - 1).event).as("the stream ends with the outcome: " + frames)
          .isIn("result", "error");
      assertThat(frames.subList(0, frames.size() - 1)).extracting(f -> f.event).doesNotContain("result", "error");
    } else {
      fail("unexpected content type " + contentType + ": " + what);
    }
    seen.add(method + " " + template + " " + status + " " + media);
    return r;
  }

  /** Pekko's answer when no route matched: 404 or 405 that is none of the API's own errors. */
  private boolean isRejection(HttpResponse<String> r) {
    if (r.statusCode() == 405) {
      return true;
    }
    if (r.statusCode() != 404) {
      return false;
    }
    try {
      String code = json.readTree(r.body()).path("error").path("code").asText();
      return !List.of("UNKNOWN_WORKER", "UNKNOWN_RUN", "UNKNOWN_SCHEDULE").contains(code);
    } catch (IOException notJson) {
      return true;
    }
  }

  /** The operations of the document, by "METHOD template". */
  private Map<String, JsonNode> operations() {
    Map<String, JsonNode> out = new LinkedHashMap<>();
    doc.path("paths").fields().forEachRemaining(p -> p.getValue().fields().forEachRemaining(m -> {
      if (List.of("get", "put", "post", "delete", "options", "head", "patch", "trace").contains(m.getKey())) {
        out.put(m.getKey().toUpperCase(Locale.ROOT) + " " + p.getKey(), m.getValue());
      }
    }));
    return out;
  }

  private interface ResponseVisitor {
    void visit(String operation, String status, JsonNode response);
  }

  private void forEachResponse(ResponseVisitor v) {
    operations().forEach((key, op) -> op.path("responses").fields().forEachRemaining(r ->
        v.visit(key, r.getKey(), resolve(r.getValue()))));
  }

  /** The JSON pointer of the response object of an operation's status, following a $ref. */
  private String pointerOf(JsonNode op, String status) {
    JsonNode r = op.path("responses").get(status);
    if (r.has("$ref")) {
      return localRef(r.get("$ref").asText());
    }
    for (Map.Entry<String, JsonNode> e : operations().entrySet()) {
      if (e.getValue() == op) {
        String key = e.getKey();
        String method = key.substring(0, key.indexOf(' ')).toLowerCase(Locale.ROOT);
        return "/paths/" + escape(key.substring(key.indexOf(' ') + 1)) + "/" + method + "/responses/" + status;
      }
    }
    throw new IllegalStateException("not an operation of the document");
  }

  /** The pointer of the schema a media type object declares, following a $ref. */
  private String schemaPointer(String mediaPointer) {
    JsonNode schema = doc.at(mediaPointer + "/schema");
    assertThat(schema.isMissingNode()).as("schema at " + mediaPointer).isFalse();
    return schema.has("$ref") ? localRef(schema.get("$ref").asText()) : mediaPointer + "/schema";
  }

  private JsonNode resolve(JsonNode node) {
    return node.has("$ref") ? doc.at(localRef(node.get("$ref").asText())) : node;
  }

  private static String localRef(String ref) {
    assertThat(ref).startsWith("#/");
    return ref.substring(1);
  }

  private static String escape(String token) {
    return token.replace("~", "~0").replace("/", "~1");
  }

  private JsonSchema schema(String pointer) {
    return schemas.computeIfAbsent(pointer, p -> {
      // braces of path templates are not valid in an IRI fragment
      String fragment = p.replace("{", "%7B").replace("}", "%7D");
      return schemaFactory.getSchema(SchemaLocation.of(DOC_IRI + "#" + fragment), schemaConfig);
    });
  }

  private Set<ValidationMessage> violations(JsonNode instance, String pointer) {
    return schema(pointer).validate(instance);
  }

  private void assertValid(JsonNode instance, String pointer, String what) {
    Set<ValidationMessage> problems = violations(instance, pointer);
    assertThat(problems).as("valid against " + pointer + ": " + what).isEmpty();
  }

  // server-sent events

  private record Frame(String id, String event, String data) {}

  /** The events of an SSE body (comment lines skipped; an event without a type is "message"). */
  private static List<Frame> frames(String body) {
    List<Frame> out = new ArrayList<>();
    String id = null;
    String event = null;
    StringBuilder data = null;
    for (String line : (body + "\n\n").split("\r?\n", -1)) {
      if (line.isEmpty()) {
        if (data != null) {
          out.add(new Frame(id, event == null ? "message" : event, data.toString()));
        }
        id = null;
        event = null;
        data = null;
      } else if (line.startsWith(":")) {
        continue;
      } else {
        int colon = line.indexOf(':');
        String field = colon < 0 ? line : line.substring(0, colon);
        String value = colon < 0 ? "" : line.substring(colon + 1);
        value = value.startsWith(" ") ? value.substring(1) : value;
        switch (field) {
          case "id" -> id = value;
          case "event" -> event = value;
          case "data" -> data = data == null ? new StringBuilder(value) : data.append('\n').append(value);
          default -> { }
        }
      }
    }
    return out;
  }

  // HTTP

  private HttpRequest.Builder request(String base, String method, String path, String body) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(30));
    if (body == null) {
      return b.method(method, HttpRequest.BodyPublishers.noBody());
    }
    return b.header("Content-Type", JSON).method(method, HttpRequest.BodyPublishers.ofString(body));
  }

  private HttpResponse<String> send(String base, String method, String path, String body, String... headers)
      throws Exception {
    HttpRequest.Builder b = request(base, method, path, body);
    for (int i = 0; i < headers.length; i += 2) {
      b.setHeader(headers[i], headers[i + 1]);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> get(String base, String path) throws Exception {
    return send(base, "GET", path, null);
  }

  private HttpResponse<String> post(String base, String path, String body) throws Exception {
    return send(base, "POST", path, body);
  }

  /** A body every route taking one accepts: a schedule's definition to PUT, {@code {}} to POST. */
  private static String validBody(String method) {
    return switch (method) {
      case "PUT" -> YEARLY;
      case "POST" -> "{}";
      default -> null;
    };
  }

  private JsonNode body(HttpResponse<String> r) throws IOException {
    return json.readTree(r.body());
  }

  private void cancelQuietly(String runId) throws Exception {
    post(open, "/api/v1/runs/" + runId + "/cancel", "");
  }

  /**
   * The node's {@link Troupe}, failing every facade call with {@link #fault} while it is set: the
   * failures a node gives only when its entities do not answer, it shuts down, or it breaks.
   */
  private static final class FaultyTroupe implements Troupe {
    private final Troupe node;
    private final Schedules schedules;
    volatile Supplier<Throwable> fault;

    FaultyTroupe(Troupe node) {
      this.node = node;
      this.schedules = new FaultySchedules(node.schedules());
    }

    private <T> CompletionStage<T> or(Supplier<CompletionStage<T>> real) {
      Supplier<Throwable> f = fault;
      return f == null ? real.get() : CompletableFuture.failedFuture(f.get());
    }

    @Override
    public void register(String name, WorkerConfig config, Worker worker) {
      node.register(name, config, worker);
    }

    @Override
    public void registerBlocking(String name, WorkerConfig config, BlockingWorker worker) {
      node.registerBlocking(name, config, worker);
    }

    @Override
    public CompletionStage<RunHandle> call(String worker, com.fasterxml.jackson.databind.JsonNode payload,
        CallOptions options) {
      return or(() -> node.call(worker, payload, options));
    }

    @Override
    public RunHandle attach(String runId) {
      return node.attach(runId);
    }

    @Override
    public CompletionStage<Done> cancel(String runId) {
      return or(() -> node.cancel(runId));
    }

    @Override
    public CompletionStage<Optional<RunResult>> lookup(String runId) {
      return or(() -> node.lookup(runId));
    }

    @Override
    public CompletionStage<RunPage> runs(RunQuery query) {
      return or(() -> node.runs(query));
    }

    @Override
    public List<WorkerDefinition> workers() {
      return node.workers();
    }

    @Override
    public CompletionStage<List<RunResult>> active() {
      return or(node::active);
    }

    @Override
    public CompletionStage<List<RunResult>> active(String worker) {
      return or(() -> node.active(worker));
    }

    @Override
    public CompletionStage<WorkerStats> stats(String worker) {
      return or(() -> node.stats(worker));
    }

    @Override
    public void schedule(dev.troupe.api.Schedule schedule) {
      node.schedule(schedule);
    }

    @Override
    public Schedules schedules() {
      return schedules;
    }

    @Override
    public CompletionStage<RunHandle> rerun(String runId) {
      return or(() -> node.rerun(runId));
    }

    @Override
    public CompletionStage<Integer> rerunFailed(String worker, java.time.Instant since) {
      return or(() -> node.rerunFailed(worker, since));
    }

    @Override
    public ActorSystem<?> system() {
      return node.system();
    }

    @Override
    public CompletionStage<Done> shutdown() {
      return node.shutdown();
    }

    /** The node's schedules, failing every call with {@link #fault} while it is set. */
    private final class FaultySchedules implements Schedules {
      private final Schedules node;

      FaultySchedules(Schedules node) {
        this.node = node;
      }

      @Override
      public CompletionStage<ScheduleInfo> put(dev.troupe.api.Schedule schedule) {
        return or(() -> node.put(schedule));
      }

      @Override
      public CompletionStage<Optional<ScheduleInfo>> get(String name) {
        return or(() -> node.get(name));
      }

      @Override
      public CompletionStage<List<ScheduleInfo>> list() {
        return or(node::list);
      }

      @Override
      public CompletionStage<SchedulePage> page(int limit, String cursor) {
        return or(() -> node.page(limit, cursor));
      }

      @Override
      public CompletionStage<Done> delete(String name) {
        return or(() -> node.delete(name));
      }

      @Override
      public CompletionStage<ScheduleInfo> pause(String name) {
        return or(() -> node.pause(name));
      }

      @Override
      public CompletionStage<ScheduleInfo> resume(String name) {
        return or(() -> node.resume(name));
      }

      @Override
      public CompletionStage<RunHandle> trigger(String name) {
        return or(() -> node.trigger(name));
      }
    }
  }
}
