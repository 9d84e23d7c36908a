package dev.troupe.node.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.troupe.api.InvalidArgumentException;
import dev.troupe.api.RunEvent;
import dev.troupe.api.RunHandle;
import dev.troupe.api.RunRejectedException;
import dev.troupe.api.RunStatus;
import dev.troupe.api.Troupe;
import dev.troupe.api.UnknownRunException;
import dev.troupe.api.UnknownWorkerException;
import dev.troupe.api.WorkerConfig;
import dev.troupe.api.WorkerDefinition;
import dev.troupe.api.WorkerNames;
import dev.troupe.node.cluster.ClusterView;
import dev.troupe.node.metrics.TroupeMetrics;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import java.util.function.Supplier;
import org.apache.pekko.NotUsed;
import org.apache.pekko.http.javadsl.marshalling.sse.EventStreamMarshalling;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.MediaTypes;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.headers.Location;
import org.apache.pekko.http.javadsl.model.sse.ServerSentEvent;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.PathMatchers;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.stream.javadsl.Source;

/**
 * The HTTP API v1 over the {@link Troupe} facade: JSON in and out, runs streamed as
 * server-sent events, errors as {@code {"error":{"code","message"}}}, bearer tokens when
 * configured.
 */
public final class HttpApi extends AllDirectives {
  private static final String SSE = "text/event-stream";
  private static final org.apache.pekko.http.javadsl.model.ContentType.WithCharset PROMETHEUS_TEXT =
      MediaTypes.TEXT_PLAIN.toContentType(org.apache.pekko.http.javadsl.model.HttpCharsets.UTF_8);

  private final Troupe troupe;
  private final HttpSettings settings;
  private final ObjectMapper mapper;
  private final ApiErrors errors;
  private final Materializer materializer;
  private final TroupeMetrics metrics;
  private final Supplier<CompletionStage<ClusterView.Snapshot>> cluster;
  private final CorsSupport cors;
  private final BodyBudget bodies;
  private final ScheduleRoutes schedules;
  private final RerunRoutes reruns;
  private final RunReads reads;
  private final RequestMetrics requests;
  /** Built once: route lambdas run per request. */
  private final org.apache.pekko.http.javadsl.server.RejectionHandler apiRejections;

  /**
   * The API of {@code troupe}, with {@code metrics} behind {@code /metrics} and {@code cluster}
   * (a node's {@link ClusterView#snapshot()}) behind {@code /api/v1/cluster}.
   */
  public HttpApi(Troupe troupe, HttpSettings settings, ObjectMapper mapper, TroupeMetrics metrics,
      Supplier<CompletionStage<ClusterView.Snapshot>> cluster) {
    this.troupe = troupe;
    this.metrics = metrics;
    this.cluster = cluster;
    this.settings = settings;
    this.mapper = mapper;
    this.errors = new ApiErrors(mapper);
    this.materializer = Materializer.matFromSystem(troupe.system());
    this.cors = new CorsSupport(settings.cors());
    this.bodies = new BodyBudget(settings.maxInflightBodyBytes(), settings.maxBodyBytes(),
        settings.maxDrainedBodyBytes());
    this.apiRejections = jsonRejections();
    this.schedules = new ScheduleRoutes(troupe.schedules(), settings, mapper, errors, materializer);
    this.reruns = new RerunRoutes(troupe, settings, mapper, errors, materializer);
    this.reads = new RunReads(troupe, settings, mapper, errors, materializer);
    this.requests = new RequestMetrics(metrics);
  }

  /**
   * Every route of the node's HTTP port: the API, the dashboard, the API description and {@code
   * /metrics}, with CORS when configured. Rejections are handled inside, so that every answer,
   * errors included, passes through CORS; every answer is timed ({@link RequestMetrics}).
   */
  public Route routes() {
    return requests.measure(request -> errors.response(
        StatusCodes.SERVICE_UNAVAILABLE, "REQUEST_TIMEOUT", "the node did not answer within its"
            + " request timeout (pekko.http.server.request-timeout); a call may have been accepted:"
            + " repeat it with the same idempotencyKey to get the same run"),
        cors.handle(() -> handleExceptions(
        org.apache.pekko.http.javadsl.server.ExceptionHandler.newBuilder()
            .matchAny(t -> complete(errors.of(t))).build(),
        () -> handleRejections(org.apache.pekko.http.javadsl.server.RejectionHandler.defaultHandler(),
            () -> concat(
                // the dashboard and the API description are static and public; the API is not
                pathSingleSlash(() -> get(() -> getFromResource("dashboard/index.html"))),
                pathPrefix("dashboard", () -> get(() -> getFromResourceDirectory("dashboard"))),
                path("metrics", () -> get(() -> settings.metricsPublic() ? metrics()
                    : handleRejections(apiRejections, () -> authorized(admin -> metrics())))),
                path(PathMatchers.segment("api").slash("v1").slash("openapi.json"),
                    () -> get(() -> getFromResource("openapi/troupe-v1.json"))),
                pathPrefix("api", () -> handleRejections(apiRejections,
                    () -> pathPrefix("v1", () -> authorized(this::api)))))))));
  }

  private Route metrics() {
    return complete(HttpResponse.create().withEntity(
        HttpEntities.create(PROMETHEUS_TEXT, metrics.scrape())));
  }

  /** Unknown paths and methods under /api answer in the API's JSON error format too. */
  private org.apache.pekko.http.javadsl.server.RejectionHandler jsonRejections() {
    return org.apache.pekko.http.javadsl.server.RejectionHandler.newBuilder()
        .handleAll(org.apache.pekko.http.javadsl.server.MethodRejection.class, rejections ->
            complete(errors.response(StatusCodes.METHOD_NOT_ALLOWED, "METHOD_NOT_ALLOWED",
                "this path does not answer that method")))
        .handleNotFound(complete(errors.response(StatusCodes.NOT_FOUND, "NOT_FOUND",
            "no such API path")))
        .build();
  }

  private Route api(boolean admin) {
    return concat(
        reruns.routes(admin),
        path("workers", () -> get(() -> completeWithFuture(listWorkers()))),
        pathPrefix("workers", () -> pathPrefix(PathMatchers.segment(), name -> concat(
            pathEnd(() -> get(() -> validName(name, () -> completeWithFuture(worker(name))))),
            path("stats", () -> get(() -> validName(name,
                () -> completeWithFuture(json(troupe.stats(name)))))),
            path("runs", () -> post(() -> validName(name, () -> startRun(name))))))),
        path("runs", () -> get(reads::list)),
        path("cluster", () -> get(() -> completeWithFuture(json(supply(cluster))))),
        schedules.routes(admin),
        pathPrefix("runs", () -> pathPrefix(PathMatchers.segment(), runId -> concat(
            pathEnd(() -> get(() -> completeWithFuture(run(runId)))),
            path("events", () -> get(() -> optionalHeaderValueByName("Accept", accept ->
                RunReads.wantsJson(accept) ? completeWithFuture(reads.eventLog(runId))
                    : optionalHeaderValueByName("Last-Event-ID", last -> events(runId, last))))),
            path("cancel", () -> post(() -> admin ? completeWithFuture(cancel(runId))
                : complete(errors.response(StatusCodes.FORBIDDEN, "FORBIDDEN",
                    "cancelling runs needs an admin token"))))))));
  }

  // authorization

  /** Without configured tokens everything is open; else a client or an admin bearer token. */
  private Route authorized(Function<Boolean, Route> inner) {
    if (!settings.secured()) {
      return inner.apply(true);
    }
    return optionalHeaderValueByName("Authorization", header -> {
      Optional<String> token = header.filter(h -> h.startsWith("Bearer ")).map(h -> h.substring(7).trim());
      if (token.isEmpty()) {
        return complete(errors.response(StatusCodes.UNAUTHORIZED, "UNAUTHORIZED",
            "a bearer token is required (Authorization: Bearer <token>)"));
      }
      boolean admin = matches(token.get(), settings.adminTokens());
      if (!admin && !matches(token.get(), settings.clientTokens())) {
        return complete(errors.response(StatusCodes.UNAUTHORIZED, "UNAUTHORIZED",
            "the bearer token is not valid"));
      }
      return inner.apply(admin);
    });
  }

  /** Compares in constant time, whatever the token and however many are configured. */
  private static boolean matches(String token, List<String> known) {
    byte[] given = token.getBytes(StandardCharsets.UTF_8);
    boolean found = false;
    for (String k : known) {
      found |= MessageDigest.isEqual(given, k.getBytes(StandardCharsets.UTF_8));
    }
    return found;
  }

  // workers

  /** 400 naming the rule when {@code name} is no valid worker name, else {@code inner}. */
  private Route validName(String name, Supplier<Route> inner) {
    try {
      WorkerNames.validate(name);
    } catch (InvalidArgumentException e) {
      return complete(errors.of(e));
    }
    return inner.get();
  }

  private CompletionStage<HttpResponse> listWorkers() {
    List<CompletableFuture<ObjectNode>> all = new ArrayList<>();
    for (WorkerDefinition d : troupe.workers()) {
      all.add(definition(d).toCompletableFuture());
    }
    return CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).thenApply(v -> {
      ArrayNode out = mapper.createArrayNode();
      all.forEach(f -> out.add(f.join()));
      return ok(out);
    }).exceptionally(errors::of);
  }

  private CompletionStage<HttpResponse> worker(String name) {
    return troupe.workers().stream().filter(d -> d.name().equals(name)).findFirst()
        .map(d -> definition(d).thenApply(this::ok).exceptionally(errors::of))
        .orElseGet(() -> CompletableFuture.completedFuture(errors.of(new UnknownWorkerException(
            "worker '" + name + "' is not registered on this node"))));
  }

  private CompletionStage<ObjectNode> definition(WorkerDefinition d) {
    WorkerConfig c = d.config();
    ObjectNode n = mapper.createObjectNode().put("name", d.name()).put("description", c.description());
    ObjectNode cfg = n.putObject("config");
    cfg.put("timeoutMs", c.timeout().toMillis()).put("maxConcurrent", c.maxConcurrent())
        .put("queueCapacity", c.queueCapacity()).put("partitions", c.partitions())
        .put("role", c.role()).put("durableStream", c.durableStream())
        .put("maxConcurrentPerKey", c.maxConcurrentPerKey());
    if (c.rateLimit() == null) {
      cfg.putNull("rateLimit");
    } else {
      cfg.putObject("rateLimit").put("starts", c.rateLimit().starts())
          .put("perMs", c.rateLimit().per().toMillis()).put("perKey", c.rateLimit().perKey());
    }
    cfg.putObject("retry").put("maxAttempts", c.retry().maxAttempts())
        .put("initialBackoffMs", c.retry().initialBackoff().toMillis())
        .put("maxBackoffMs", c.retry().maxBackoff().toMillis())
        .put("jitter", c.retry().jitter());
    cfg.set("tags", mapper.valueToTree(c.tags()));
    // a definition whose role has no member up is listed without stats, not as an error
    return troupe.stats(d.name()).handle((s, t) -> {
      if (t == null) {
        n.set("stats", mapper.valueToTree(s));
      } else if (ApiErrors.cause(t) instanceof RunRejectedException r
          && r.reason() == RunRejectedException.Reason.NO_NODE_FOR_ROLE) {
        n.putNull("stats").put("statsError", r.getMessage());
      } else {
        throw new CompletionException(ApiErrors.cause(t));
      }
      return n;
    });
  }

  // runs

  private Route startRun(String name) {
    return withSizeLimit(settings.maxBodyBytes(), () -> extractRequestEntity(entity ->
        optionalHeaderValueByName("Accept", accept -> parameterOptional("wait", wait -> {
          long deadline = System.nanoTime() + settings.waitBudget().toNanos();
          CompletionStage<RunHandle> accepted = bodies.admit(entity, materializer,
              () -> RunRequest.read(entity, mapper, materializer, settings.waitTimeout())
                  .thenCompose(r -> troupe.call(name, r.payload(), r.options())));
          if (accept.filter(a -> a.contains(SSE)).isPresent()) {
            // the Location names the run, so that a client that loses the stream can resume it
            return onSuccess(accepted.handle((h, t) -> t), failure -> failure != null
                ? complete(errors.of(failure))
                : respondWithHeader(Location.create("/api/v1/runs/"
                        + accepted.toCompletableFuture().join().runId()),
                    () -> completeOK(sse(accepted.toCompletableFuture().join().messages()),
                        EventStreamMarshalling.toEventStream())));
          }
          boolean waitForIt = wait.map(Boolean::parseBoolean).orElse(false);
          return completeWithFuture(accepted.thenCompose(h -> waitForIt
              ? finished(h, deadline) : CompletableFuture.completedFuture(acceptedResponse(h)))
              .exceptionally(errors::of));
        }))));
  }

  private HttpResponse acceptedResponse(RunHandle h) {
    ObjectNode n = mapper.createObjectNode().put("runId", h.runId()).put("worker", h.worker())
        .put("existing", h.existing());
    // not the run's status, but for a delayed run: it says that the run waits for its start time
    n.put("status", h.status() == RunStatus.SCHEDULED ? "SCHEDULED" : "ACCEPTED");
    n.put("traceId", h.traceId()); // as the run's JSON has it: null when untraced
    ObjectNode links = n.putObject("links");
    String self = "/api/v1/runs/" + h.runId();
    links.put("self", self).put("events", self + "/events").put("cancel", self + "/cancel");
    return HttpResponse.create().withStatus(StatusCodes.ACCEPTED)
        .addHeader(Location.create(self))
        .withEntity(HttpEntities.create(ContentTypes.APPLICATION_JSON, n.toString()));
  }

  /**
   * The finished run, or 202 with its links when it has not finished by {@code deadline} (a
   * {@link System#nanoTime()}: the request's arrival plus its {@link HttpSettings#waitBudget()}).
   */
  private CompletionStage<HttpResponse> finished(RunHandle h, long deadline) {
    long left = Math.max(0, deadline - System.nanoTime());
    return h.result().toCompletableFuture().copy()
        .orTimeout(left, java.util.concurrent.TimeUnit.NANOSECONDS)
        .handle((r, t) -> t == null ? ok(mapper.valueToTree(r)) : acceptedResponse(h));
  }

  private CompletionStage<HttpResponse> run(String runId) {
    return supply(() -> troupe.lookup(runId)).thenApply(r -> r
        .map(x -> ok(mapper.valueToTree(x)))
        .orElseGet(() -> errors.of(new UnknownRunException("run " + runId + " is not known"))))
        .exceptionally(errors::of);
  }

  private CompletionStage<HttpResponse> cancel(String runId) {
    return supply(() -> troupe.cancel(runId)).thenApply(done -> HttpResponse.create()
        .withStatus(StatusCodes.ACCEPTED).withEntity(HttpEntities.create(ContentTypes.APPLICATION_JSON,
            mapper.createObjectNode().put("runId", runId).put("status", "CANCELLED").toString())))
        .exceptionally(errors::of);
  }

  private Route events(String runId, Optional<String> lastEventId) {
    long after;
    try {
      after = lastEventId.map(String::trim).map(Long::parseLong).orElse(0L);
      if (after < 0) {
        throw new NumberFormatException("negative");
      }
    } catch (NumberFormatException e) {
      return complete(errors.of(new InvalidArgumentException(
          "Last-Event-ID must be a sequence number, was '" + lastEventId.get() + "'")));
    }
    // look the run up first, so an unknown run is a 404 rather than a failed stream
    return onSuccess(supply(() -> troupe.lookup(runId)).handle((r, t) ->
            t != null ? t : r.isEmpty() ? new UnknownRunException("run " + runId + " is not known") : null),
        failure -> failure != null ? complete(errors.of(failure))
            : completeOK(sse(troupe.attach(runId).messages(after)), EventStreamMarshalling.toEventStream()));
  }

  /** The run's events as SSE, counted in the subscriber gauge while the stream is open. */
  private Source<ServerSentEvent, NotUsed> sse(Source<RunEvent, NotUsed> events) {
    return events.map(this::toSse).keepAlive(settings.sseKeepAlive(), ServerSentEvent::heartbeat)
        .watchTermination((nu, done) -> {
          metrics.sseSubscribers().incrementAndGet();
          done.whenComplete((d, t) -> metrics.sseSubscribers().decrementAndGet());
          return NotUsed.getInstance();
        });
  }

  private ServerSentEvent toSse(RunEvent e) {
    String data = e.data() == null ? "null" : e.data().toString();
    return e.seq() > 0 ? ServerSentEvent.create(data, e.type(), Long.toString(e.seq()))
        : ServerSentEvent.create(data, e.type());
  }

  // helpers

  private HttpResponse ok(JsonNode body) {
    return HttpResponse.create().withStatus(StatusCodes.OK)
        .withEntity(HttpEntities.create(ContentTypes.APPLICATION_JSON, body.toString()));
  }

  private <T> CompletionStage<HttpResponse> json(CompletionStage<T> value) {
    return value.thenApply(v -> ok(mapper.valueToTree(v))).exceptionally(errors::of);
  }

  /** Runs {@code f}, turning a synchronous exception into a failed stage. */
  private static <T> CompletionStage<T> supply(Supplier<CompletionStage<T>> f) {
    try {
      return f.get();
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }
}
