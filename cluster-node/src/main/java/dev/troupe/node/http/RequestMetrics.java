package dev.troupe.node.http;

import dev.troupe.node.metrics.TroupeMetrics;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * Times every answer of a node's HTTP port into {@link TroupeMetrics#httpRequest}: by method,
 * route template ({@link RouteTemplates}, never the raw path) and status, from the request's
 * arrival to its answer (an event stream: to its start). Every answer counts, rejections, errors
 * and request timeouts included, each exactly once. Nothing waits: the answer is timed as it
 * passes.
 */
final class RequestMetrics extends AllDirectives {
  private static final Set<String> METHODS = Set.of("GET", "HEAD", "POST", "PUT", "DELETE",
      "PATCH", "OPTIONS", "TRACE", "CONNECT");

  private final TroupeMetrics metrics;

  RequestMetrics(TroupeMetrics metrics) {
    this.metrics = metrics;
  }

  /**
   * {@code inner}, sealed (any rejection or exception it leaves is answered by Pekko's default
   * handlers, so that it is timed as well), with every answer timed; a request that outlives the
   * server's request timeout is answered with {@code onTimeout} and timed as that answer.
   */
  Route measure(Function<HttpRequest, HttpResponse> onTimeout, Route inner) {
    Route sealed = inner.seal();
    return extractRequest(request -> {
      Exchange x = new Exchange(request, System.nanoTime());
      return withRequestTimeoutResponse(r -> x.answered(onTimeout.apply(r)),
          () -> mapResponse(x::answered, () -> sealed));
    });
  }

  /** One request: timed once, by its first answer (a timeout's, or the route's). */
  private final class Exchange {
    private final HttpRequest request;
    private final long arrived;
    private final AtomicBoolean timed = new AtomicBoolean();

    Exchange(HttpRequest request, long arrived) {
      this.request = request;
      this.arrived = arrived;
    }

    HttpResponse answered(HttpResponse response) {
      if (timed.compareAndSet(false, true)) {
        String method = request.method().name();
        metrics.httpRequest(METHODS.contains(method) ? method : "OTHER",
            RouteTemplates.of(request.getUri().pathSegments()), response.status().intValue(),
            System.nanoTime() - arrived);
      }
      return response;
    }
  }
}
