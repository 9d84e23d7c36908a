package dev.troupe.node.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.troupe.api.InvalidArgumentException;
import dev.troupe.api.Troupe;
import dev.troupe.api.WorkerNames;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.headers.Location;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.PathMatchers;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.stream.Materializer;

/**
 * Re-runs: {@code POST /api/v1/runs/{runId}/rerun} (201 with the new run's id) and {@code POST
 * /api/v1/workers/{name}/rerun-failed} (202 with how many were re-run). Both need an admin token
 * when tokens are configured, and a body declared JSON (empty, or {@code {"since": ISO}}).
 */
final class RerunRoutes extends AllDirectives {
  private final Troupe troupe;
  private final HttpSettings settings;
  private final ObjectMapper mapper;
  private final ApiErrors errors;
  private final Materializer materializer;

  RerunRoutes(Troupe troupe, HttpSettings settings, ObjectMapper mapper, ApiErrors errors,
      Materializer materializer) {
    this.troupe = troupe;
    this.settings = settings;
    this.mapper = mapper;
    this.errors = errors;
    this.materializer = materializer;
  }

  /** The routes under {@code /api/v1}; {@code admin} when the request has an admin token. */
  Route routes(boolean admin) {
    return concat(
        path(PathMatchers.segment("runs").slash(PathMatchers.segment()).slash("rerun"),
            runId -> post(() -> admin(admin, () -> body(b -> troupe.rerun(runId).thenApply(h -> {
              String self = "/api/v1/runs/" + h.runId();
              ObjectNode n = mapper.createObjectNode().put("runId", h.runId())
                  .put("rerunOf", runId).put("worker", h.worker()).put("traceId", h.traceId());
              n.putObject("links").put("self", self).put("events", self + "/events");
              return respond(StatusCodes.CREATED, n).addHeader(Location.create(self));
            }))))),
        path(PathMatchers.segment("workers").slash(PathMatchers.segment()).slash("rerun-failed"),
            name -> post(() -> admin(admin, () -> body(b -> {
              WorkerNames.validate(name);
              return troupe.rerunFailed(name, since(b)).thenApply(n ->
                  respond(StatusCodes.ACCEPTED, mapper.createObjectNode().put("rerun", n)));
            })))));
  }

  private static Instant since(JsonNode body) {
    JsonNode since = body.get("since");
    if (since == null || since.isNull()) {
      return null;
    }
    try {
      if (!since.isTextual()) {
        throw new DateTimeParseException("not a string", since.toString(), 0);
      }
      return Instant.parse(since.asText());
    } catch (DateTimeParseException e) {
      throw new InvalidArgumentException("since must be an ISO-8601 instant such as"
          + " \"2026-12-01T00:00:00Z\", was " + since);
    }
  }

  private Route admin(boolean admin, java.util.function.Supplier<Route> inner) {
    return admin ? inner.get() : complete(errors.response(StatusCodes.FORBIDDEN, "FORBIDDEN",
        "re-running runs needs an admin token"));
  }

  /** Reads the JSON body, then answers what {@code f} gives for it, errors as the API's. */
  private Route body(java.util.function.Function<JsonNode, CompletionStage<HttpResponse>> f) {
    return withSizeLimit(settings.maxBodyBytes(), () -> extractRequestEntity(entity ->
        completeWithFuture(RunRequest.object(entity, mapper, materializer, settings.waitTimeout())
            .thenCompose(b -> {
              try {
                return f.apply(b);
              } catch (RuntimeException e) {
                return CompletableFuture.failedFuture(e);
              }
            }).exceptionally(errors::of))));
  }

  private HttpResponse respond(org.apache.pekko.http.javadsl.model.StatusCode status,
      JsonNode body) {
    return HttpResponse.create().withStatus(status)
        .withEntity(HttpEntities.create(ContentTypes.APPLICATION_JSON, body.toString()));
  }
}
