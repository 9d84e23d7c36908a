package dev.troupe.node.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.troupe.api.InvalidArgumentException;
import dev.troupe.api.MisfirePolicy;
import dev.troupe.api.RunHandle;
import dev.troupe.api.Schedule;
import dev.troupe.api.ScheduleInfo;
import dev.troupe.api.ScheduleRun;
import dev.troupe.api.Schedules;
import dev.troupe.api.UnknownScheduleException;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import java.util.function.Supplier;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCode;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.headers.Location;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.PathMatchers;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.stream.Materializer;

/**
 * {@code /api/v1/schedules}: list (paged by name), put, get, delete, pause, resume and trigger schedules. Changes
 * (put, delete, pause, resume) need an admin token when tokens are configured; reading and
 * triggering (which starts a run, as a call does) need a client token. Bodies of PUT and POST are
 * declared JSON (415 otherwise, an empty body too).
 */
final class ScheduleRoutes extends AllDirectives {
  private static final int DEFAULT_LIMIT = 50;
  private final Schedules schedules;
  private final HttpSettings settings;
  private final ObjectMapper mapper;
  private final ApiErrors errors;
  private final Materializer materializer;

  ScheduleRoutes(Schedules schedules, HttpSettings settings, ObjectMapper mapper, ApiErrors errors,
      Materializer materializer) {
    this.schedules = schedules;
    this.settings = settings;
    this.mapper = mapper;
    this.errors = errors;
    this.materializer = materializer;
  }

  /** The routes under {@code /api/v1}; {@code admin} when the request has an admin token. */
  Route routes(boolean admin) {
    return concat(
        path("schedules", () -> get(() -> parameterOptional("limit", limit ->
            parameterOptional("cursor", cursor -> completeWithFuture(list(limit, cursor)))))),
        pathPrefix("schedules", () -> pathPrefix(PathMatchers.segment(), name -> concat(
            pathEnd(() -> concat(
                get(() -> completeWithFuture(one(name))),
                put(() -> admin(admin, () -> body(b -> schedules.put(schedule(valid(name), b)),
                    this::ok))),
                delete(() -> admin(admin, () -> completeWithFuture(answer(
                    supply(() -> schedules.delete(valid(name))),
                    d -> HttpResponse.create().withStatus(StatusCodes.NO_CONTENT))))))),
            path("pause", () -> post(() -> admin(admin, () -> body(b ->
                schedules.pause(valid(name)), this::ok)))),
            path("resume", () -> post(() -> admin(admin, () -> body(b ->
                schedules.resume(valid(name)), this::ok)))),
            path("trigger", () -> post(() -> body(b -> schedules.trigger(valid(name)),
                this::triggered)))))));
  }

  /** A page of schedules by name: {@code limit} (default 50) after {@code cursor}. */
  private CompletionStage<HttpResponse> list(Optional<String> limit, Optional<String> cursor) {
    return answer(supply(() -> schedules.page(limit.map(x -> {
      try {
        return Integer.parseInt(x);
      } catch (NumberFormatException e) {
        throw new InvalidArgumentException("limit must be an integer, was '" + x + "'");
      }
    }).orElse(DEFAULT_LIMIT), cursor.orElse(null))), page -> {
      ObjectNode n = mapper.createObjectNode();
      ArrayNode all = n.putArray("schedules");
      page.schedules().forEach(s -> all.add(json(s)));
      n.put("nextCursor", page.nextCursor());
      return respond(StatusCodes.OK, n);
    });
  }

  private CompletionStage<HttpResponse> one(String name) {
    return answer(supply(() -> schedules.get(valid(name))), s -> s.map(this::ok)
        .orElseGet(() -> errors.of(new UnknownScheduleException("schedule '" + name
            + "' does not exist"))));
  }

  private HttpResponse triggered(RunHandle h) {
    String self = "/api/v1/runs/" + h.runId();
    ObjectNode n = mapper.createObjectNode().put("runId", h.runId()).put("worker", h.worker());
    n.putObject("links").put("self", self).put("events", self + "/events");
    n.put("traceId", h.traceId()); // as the run's JSON has it: null when untraced
    return respond(StatusCodes.ACCEPTED, n).addHeader(Location.create(self));
  }

  private HttpResponse ok(ScheduleInfo info) {
    return respond(StatusCodes.OK, json(info));
  }

  /** The schedule as JSON: its definition, paused, the next 5 fire times, its recent runs. */
  private ObjectNode json(ScheduleInfo info) {
    Schedule s = info.schedule();
    ObjectNode n = mapper.createObjectNode().put("name", s.name()).put("worker", s.worker())
        .put("cron", s.cron()).put("timezone", s.timezone());
    n.set("payload", s.payload());
    n.put("misfire", s.misfire().json()).put("priority", s.priority()).put("paused", info.paused());
    ArrayNode next = n.putArray("nextFireTimes");
    info.nextFireTimes().forEach(t -> next.add(mapper.valueToTree(t)));
    ArrayNode recent = n.putArray("recentRuns");
    for (ScheduleRun r : info.recentRuns()) {
      ObjectNode run = recent.addObject().put("runId", r.runId());
      run.set("fireTime", mapper.valueToTree(r.fireTime()));
      run.put("status", r.status() == null ? null : r.status().name());
      if (r.error() != null) {
        run.put("error", r.error());
      }
    }
    return n;
  }

  /** The definition in a PUT body, each field checked, 400 naming the one that is wrong. */
  private static Schedule schedule(String name, JsonNode b) {
    JsonNode priority = b.get("priority");
    if (priority != null && !priority.isNull() && !priority.isIntegralNumber()) {
      throw new InvalidArgumentException("priority must be an integer from 0 to 9, was " + priority);
    }
    String misfire = text(b, "misfire", false);
    return new Schedule(name, text(b, "worker", true), text(b, "cron", true),
        text(b, "timezone", false), b.get("payload"),
        misfire == null ? null : MisfirePolicy.of(misfire),
        priority == null || priority.isNull() ? null : priority.intValue());
  }

  private static String text(JsonNode body, String field, boolean required) {
    JsonNode v = body.get(field);
    if (v == null || v.isNull()) {
      if (required) {
        throw new InvalidArgumentException(field + " is required");
      }
      return null;
    }
    if (!v.isTextual()) {
      throw new InvalidArgumentException(field + " must be a string, was " + v);
    }
    return v.asText();
  }

  private static String valid(String name) {
    return Schedule.validateName(name);
  }

  // helpers

  private Route admin(boolean admin, Supplier<Route> inner) {
    return admin ? inner.get() : complete(errors.response(StatusCodes.FORBIDDEN, "FORBIDDEN",
        "changing schedules needs an admin token"));
  }

  /** Reads the JSON body, then answers what {@code f} gives for it. */
  private <T> Route body(Function<JsonNode, CompletionStage<T>> f,
      Function<T, HttpResponse> response) {
    return withSizeLimit(settings.maxBodyBytes(), () -> extractRequestEntity(entity ->
        completeWithFuture(answer(RunRequest.object(entity, mapper, materializer,
            settings.waitTimeout()).thenCompose(b -> supply(() -> f.apply(b))), response))));
  }

  private <T> CompletionStage<HttpResponse> answer(CompletionStage<T> value,
      Function<T, HttpResponse> response) {
    return value.thenApply(response).exceptionally(errors::of);
  }

  private HttpResponse respond(StatusCode status, JsonNode body) {
    return HttpResponse.create().withStatus(status)
        .withEntity(HttpEntities.create(ContentTypes.APPLICATION_JSON, body.toString()));
  }

  private static <T> CompletionStage<T> supply(Supplier<CompletionStage<T>> f) {
    try {
      return f.get();
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }
}
