package dev.troupe.node.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.troupe.api.InvalidArgumentException;
import dev.troupe.api.RunEvent;
import dev.troupe.api.RunNotFinishedException;
import dev.troupe.api.RunQuery;
import dev.troupe.api.RunStatus;
import dev.troupe.api.Troupe;
import dev.troupe.api.UnknownRunException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import java.util.function.Supplier;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.stream.javadsl.Sink;

/**
 * Reads of runs that answer JSON: {@code GET /api/v1/runs} (a page of runs, filtered by worker,
 * status, parent, tag and creation time) and {@code GET /api/v1/runs/{runId}/events} asked with
 * {@code Accept: application/json} (a finished run's events with their times). Each parameter is
 * checked: a bad one is a 400 naming it. Nothing here blocks: the reads are the facade's stages.
 */
final class RunReads extends AllDirectives {
  private final Troupe troupe;
  private final HttpSettings settings;
  private final ObjectMapper mapper;
  private final ApiErrors errors;
  private final Materializer materializer;

  RunReads(Troupe troupe, HttpSettings settings, ObjectMapper mapper, ApiErrors errors,
      Materializer materializer) {
    this.troupe = troupe;
    this.settings = settings;
    this.mapper = mapper;
    this.errors = errors;
    this.materializer = materializer;
  }

  /** Whether an {@code Accept} header asks for the JSON event log rather than the SSE stream. */
  static boolean wantsJson(Optional<String> accept) {
    return accept.filter(a -> a.contains("application/json") && !a.contains("text/event-stream"))
        .isPresent();
  }

  /** {@code GET /api/v1/runs}: one page of runs for the query's parameters. */
  Route list() {
    return parameterOptional("worker", worker -> parameterOptional("status", status ->
        parameterOptional("limit", limit -> parameterOptional("cursor", cursor ->
            parameterOptional("parent", parent -> parameterOptional("tag", tag ->
                parameterOptional("from", from -> parameterOptional("to", to ->
                    completeWithFuture(answer(() -> troupe.runs(new RunQuery(worker.orElse(null),
                            status.map(RunReads::status).orElse(null),
                            limit.map(RunReads::limit).orElse(50), cursor.orElse(null),
                            parent.orElse(null), tag.orElse(null), from.map(x -> instant("from", x))
                                .orElse(null), to.map(x -> instant("to", x)).orElse(null))),
                        page -> ok(mapper.valueToTree(page))))))))))));
  }

  /**
   * The events of finished run {@code runId}, oldest first, each with its seq, type, data and
   * time ({@code at}), at most {@link HttpSettings#eventLogLimit()} of them; 409 while the run is
   * going (its stream is then read as SSE), 404 for a run the node does not know.
   */
  CompletionStage<HttpResponse> eventLog(String runId) {
    int max = settings.eventLogLimit();
    return answer(() -> troupe.lookup(runId).thenCompose(found -> {
      if (found.isEmpty()) {
        throw new UnknownRunException("run " + runId + " is not known");
      }
      if (!found.get().isFinished()) {
        throw new RunNotFinishedException("run " + runId + " is " + found.get().status()
            + ": follow its events as text/event-stream until it finishes");
      }
      return troupe.attach(runId).messages(0).take(max + 1L)
          .completionTimeout(settings.waitTimeout())
          .runWith(Sink.seq(), materializer);
    }), events -> {
      ObjectNode n = mapper.createObjectNode().put("runId", runId)
          .put("truncated", events.size() > max);
      ArrayNode all = n.putArray("events");
      for (RunEvent e : events.subList(0, Math.min(max, events.size()))) {
        ObjectNode one = all.addObject().put("seq", e.seq()).put("type", e.type());
        one.set("data", e.data());
        one.put("at", e.at() == null ? null : e.at().toString());
      }
      return ok(n);
    });
  }

  private static RunStatus status(String x) {
    try {
      return RunStatus.valueOf(x.toUpperCase(java.util.Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new InvalidArgumentException("status must be one of " + List.of(RunStatus.values())
          + ", was '" + x + "'");
    }
  }

  private static int limit(String x) {
    try {
      return Integer.parseInt(x);
    } catch (NumberFormatException e) {
      throw new InvalidArgumentException("limit must be an integer, was '" + x + "'");
    }
  }

  private static Instant instant(String name, String x) {
    try {
      return Instant.parse(x);
    } catch (DateTimeParseException e) {
      throw new InvalidArgumentException(name + " must be an ISO-8601 instant such as"
          + " 2026-12-01T00:00:00Z, was '" + x + "'");
    }
  }

  /** Runs {@code read} (its synchronous exceptions too) and answers {@code f} of its value. */
  private <T> CompletionStage<HttpResponse> answer(Supplier<CompletionStage<T>> read,
      Function<T, HttpResponse> f) {
    CompletionStage<T> value;
    try {
      value = read.get();
    } catch (RuntimeException e) {
      value = CompletableFuture.failedFuture(e);
    }
    return value.thenApply(f).exceptionally(errors::of);
  }

  private HttpResponse ok(com.fasterxml.jackson.databind.JsonNode body) {
    return HttpResponse.create().withStatus(StatusCodes.OK)
        .withEntity(HttpEntities.create(ContentTypes.APPLICATION_JSON, body.toString()));
  }
}
