package dev.troupe.client;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * HTTP to the nodes: one current base URL out of the configured ones, moved on to the next after
 * a connection failure or a 503; the bearer token on every request; retries with exponential
 * backoff where a request is safe to repeat; error answers turned into {@link TroupeApiException}s.
 */
final class Transport {
  /** Closes idle or overdue event streams; one daemon thread for every client of the JVM. */
  static final ScheduledExecutorService TIMER = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "troupe-client-timer");
    t.setDaemon(true);
    return t;
  });

  /** When a failed request may be sent again. */
  enum Retry {
    /** After any connection failure or a 503: the request is a read or a keyed start call. */
    ALWAYS,
    /** As {@link #ALWAYS}, but a request timeout ends the tries: it was a wait that ran out. */
    NOT_ON_TIMEOUT,
    /** Only when it surely never reached a node (no connection) or a node refused it with 503. */
    UNSENT
  }

  private final HttpClient http;
  private final List<URI> bases;
  private final AtomicInteger current = new AtomicInteger();
  private final String token;
  final ClientSettings settings;

  Transport(ClientSettings settings) {
    this.settings = settings;
    this.bases = settings.baseUrls();
    this.token = settings.token();
    this.http = HttpClient.newBuilder()
        // HTTP/1.1: one plain connection per event stream, which closing really closes
        .version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(settings.connectTimeout())
        .build();
  }

  /** The base URL requests go to now. */
  URI base() {
    return bases.get(Math.floorMod(current.get(), bases.size()));
  }

  /** After a failure on {@code failed}, the next base URL becomes current (once per failure). */
  void failed(URI failed) {
    int i = current.get();
    if (bases.get(Math.floorMod(i, bases.size())).equals(failed)) {
      current.compareAndSet(i, i + 1);
    }
  }

  HttpRequest.Builder request(URI base, String path, Duration timeout) {
    // appended, not resolved: a base URL with a path (behind a proxy) keeps it
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(timeout);
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    return b;
  }

  /**
   * Sends {@code method path} (with {@code json} as body when not null) and returns the answer,
   * retrying per {@code retry} with backoff for at most {@link ClientSettings#maxAttempts()} tries.
   * Any answer but a retried one ({@link #retryable}) is returned, errors included.
   *
   * @throws UnreachableException when the last try failed to connect or to read an answer
   */
  HttpResponse<String> send(String method, String path, String json, Duration timeout, Retry retry) {
    for (int attempt = 1; ; attempt++) {
      URI base = base();
      HttpRequest.Builder b = request(base, path, timeout).header("Accept", "application/json");
      b.method(method, json == null ? HttpRequest.BodyPublishers.noBody()
          : HttpRequest.BodyPublishers.ofString(json, StandardCharsets.UTF_8));
      if (json != null || "POST".equals(method)) {
        b.header("Content-Type", "application/json");
      }
      Duration retryAfter = null;
      try {
        HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        if (!retryable(r.statusCode()) || attempt >= settings.maxAttempts()) {
          return r;
        }
        retryAfter = r.headers().firstValue("Retry-After").map(Transport::seconds).orElse(null);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new TroupeException("interrupted while waiting for " + method + " " + path, e);
      } catch (IOException e) {
        boolean unsent = e instanceof ConnectException || e instanceof HttpConnectTimeoutException;
        boolean timedOut = e instanceof HttpTimeoutException && !unsent;
        if (attempt >= settings.maxAttempts() || retry == Retry.UNSENT && !unsent
            || retry == Retry.NOT_ON_TIMEOUT && timedOut) {
          throw unreachable(method + " " + path, e);
        }
      }
      failed(base);
      pause(attempt, retryAfter);
    }
  }

  /**
   * Whether an answer with {@code status} may be tried again: 503 from a node that cannot take it
   * now, 502 and 504 from a proxy or load balancer whose node is gone.
   */
  static boolean retryable(int status) {
    return status == 502 || status == 503 || status == 504;
  }

  /** One try to open a run's event stream after {@code lastEventId} (0: from the start). */
  HttpResponse<InputStream> openEvents(URI base, String runId, long lastEventId)
      throws IOException {
    HttpRequest.Builder b = request(base, "/api/v1/runs/" + UrlParts.segment(runId) + "/events",
        settings.requestTimeout()).header("Accept", "text/event-stream").GET();
    if (lastEventId > 0) {
      b.header("Last-Event-ID", Long.toString(lastEventId));
    }
    try {
      return http.send(b.build(), HttpResponse.BodyHandlers.ofInputStream());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new TroupeException("interrupted while connecting to " + base, e);
    }
  }

  /** The answer's JSON body, or the exception its error status stands for. */
  JsonNode json(HttpResponse<String> r) {
    if (r.statusCode() / 100 != 2) {
      throw error(r.statusCode(), r.body());
    }
    try {
      return Json.MAPPER.readTree(r.body());
    } catch (IOException e) {
      throw new TroupeException("the node answered " + r.statusCode() + " with a body that is not"
          + " JSON: " + abbreviate(r.body()), e);
    }
  }

  /** The exception for an error answer, from its {@code {"error":{"code","message"}}} body. */
  static TroupeApiException error(int status, String body) {
    try {
      JsonNode e = Json.MAPPER.readTree(body == null ? "" : body).path("error");
      if (e.hasNonNull("code")) {
        return ofStatus(status, e.get("code").asText(), e.path("message").asText());
      }
    } catch (IOException notJson) {
      // a proxy's or load balancer's own error page: reported by status and text below
    }
    return ofStatus(status, "HTTP_" + status,
        "HTTP " + status + (body == null || body.isBlank() ? "" : ": " + abbreviate(body)));
  }

  /** The exception for an error answer: the subclass that names {@code status}. */
  private static TroupeApiException ofStatus(int status, String code, String message) {
    return switch (status) {
      case 400, 413, 415 -> new InvalidRequestException(status, code, message);
      case 401, 403 -> new AccessDeniedException(status, code, message);
      case 404 -> new NotFoundException(status, code, message);
      case 409 -> new ConflictException(status, code, message);
      case 429, 503 -> new UnavailableException(status, code, message);
      default -> new TroupeApiException(status, code, message);
    };
  }

  UnreachableException unreachable(String what, IOException e) {
    return new UnreachableException("cannot reach Troupe at " + bases + " (" + what + "): "
        + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()), e);
  }

  /**
   * Waits before try {@code attempt + 1}: exponential backoff from {@link
   * ClientSettings#initialBackoff()} up to {@link ClientSettings#maxBackoff()}, half of it
   * random so that clients refused together do not come back together; at least a node's
   * {@code Retry-After}, but never past the maximum backoff.
   */
  void pause(int attempt, Duration retryAfter) {
    long max = settings.maxBackoff().toMillis();
    long d = Math.min(max, settings.initialBackoff().toMillis() << Math.min(attempt - 1, 20));
    d = d / 2 + ThreadLocalRandom.current().nextLong(d / 2 + 1);
    if (retryAfter != null) {
      d = Math.min(max, Math.max(d, retryAfter.toMillis()));
    }
    try {
      Thread.sleep(d);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new TroupeException("interrupted while waiting to retry", e);
    }
  }

  private static Duration seconds(String retryAfter) {
    try {
      return Duration.ofSeconds(Long.parseLong(retryAfter.trim()));
    } catch (NumberFormatException dateForm) {
      return null;
    }
  }

  private static String abbreviate(String s) {
    return s.length() <= 200 ? s : s.substring(0, 200) + "…";
  }
}
