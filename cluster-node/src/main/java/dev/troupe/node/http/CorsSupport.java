package dev.troupe.node.http;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import org.apache.pekko.http.javadsl.model.HttpHeader;
import org.apache.pekko.http.javadsl.model.HttpMethods;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * Cross-origin requests (CORS) per {@code troupe.http.cors}: a preflight {@code OPTIONS} from an
 * allowed origin is answered 204 with the allowed methods, headers and max age; every other
 * response to an allowed origin carries {@code Access-Control-Allow-Origin}. With no origin
 * configured, or for an origin not allowed, requests pass through untouched (no CORS header).
 * pekko-http 1.3.0 has no pekko-http-cors module that resolves from Maven Central, hence these
 * few directives.
 */
final class CorsSupport extends AllDirectives {
  /** The methods of the HTTP API v1. */
  private static final String METHODS = "GET, POST, OPTIONS";
  /** Response headers of the API a page may read beyond the CORS-safelisted ones. */
  private static final String EXPOSED = "Location, Retry-After";

  private final HttpSettings.Cors settings;

  CorsSupport(HttpSettings.Cors settings) {
    this.settings = settings;
  }

  /** {@code inner} with CORS when it is configured, else {@code inner} itself. */
  Route handle(Supplier<Route> inner) {
    if (!settings.enabled()) {
      return inner.get();
    }
    // an answer that depends on Origin must tell caches so, unless it is the same for all
    List<HttpHeader> vary = settings.anyOrigin() ? List.of() : List.of(RawHeader.create("Vary", "Origin"));
    return extractRequest(request -> {
      Optional<String> origin = request.getHeader("Origin").map(HttpHeader::value)
          .filter(settings::allows);
      if (origin.isEmpty()) {
        return respondWithHeaders(vary, inner);
      }
      List<HttpHeader> headers = new ArrayList<>(vary);
      headers.add(RawHeader.create("Access-Control-Allow-Origin",
          settings.anyOrigin() ? "*" : origin.get()));
      if (isPreflight(request)) {
        headers.add(RawHeader.create("Access-Control-Allow-Methods", METHODS));
        headers.add(RawHeader.create("Access-Control-Allow-Headers",
            String.join(", ", settings.allowedHeaders())));
        headers.add(RawHeader.create("Access-Control-Max-Age",
            Long.toString(settings.maxAge().toSeconds())));
        return complete(HttpResponse.create().withStatus(StatusCodes.NO_CONTENT).addHeaders(headers));
      }
      headers.add(RawHeader.create("Access-Control-Expose-Headers", EXPOSED));
      return respondWithHeaders(headers, inner);
    });
  }

  private static boolean isPreflight(HttpRequest request) {
    return request.method().equals(HttpMethods.OPTIONS)
        && request.getHeader("Access-Control-Request-Method").isPresent();
  }
}
