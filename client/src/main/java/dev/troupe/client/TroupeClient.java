package dev.troupe.client;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.Flow;

/**
 * A client of Troupe's HTTP API ({@code /api/v1}) for applications that reach a cluster over
 * HTTP: {@code java.net.http} and Jackson only. Thread-safe; make one per application and share
 * it.
 *
 * <p>Guarantees, and why:
 *
 * <ul>
 *   <li><b>A start call makes at most one run, even when retried.</b> Every call carries an
 *       idempotency key (the caller's, or a random one made for that call), and the client
 *       repeats a call that failed to connect, timed out or was answered 502/503/504 with the
 *       same key, up to {@link Builder#maxAttempts(int)} tries with exponential backoff: the node
 *       returns the run the key already started instead of starting another.
 *   <li><b>Streams resume by themselves.</b> See {@link RunEventStream}: exactly once, in order,
 *       across dropped connections, node restarts and other nodes.
 *   <li><b>Nothing waits forever.</b> Requests have {@link Builder#requestTimeout(Duration)},
 *       waits for a run have the timeout given (or {@link Builder#defaultWait(Duration)}),
 *       reconnecting has {@link Builder#reconnectTimeout(Duration)}.
 *   <li><b>Errors are typed.</b> A node's error answer ({@code {"error":{"code","message"}}})
 *       becomes a {@link TroupeApiException} subclass named by its status; failing to reach any
 *       node is an {@link UnreachableException}.
 * </ul>
 *
 * <p>Several base URLs (the nodes of a cluster) are used one at a time: the client stays with one
 * while it answers and moves on to the next when it cannot be reached or answers 503. One URL of
 * a load balancer in front of the nodes works the same way.
 */
public final class TroupeClient {
  private final Transport transport;
  private final ScheduleClient schedules;

  private TroupeClient(ClientSettings settings) {
    this.transport = new Transport(settings);
    this.schedules = new ScheduleClient(transport);
  }

  /** A client of the node (or load balancer) at {@code baseUrl}, with the defaults. */
  public static TroupeClient of(String baseUrl) {
    return builder().baseUrls(baseUrl).build();
  }

  /** A builder: set at least the base URL; every other setting has a default. */
  public static Builder builder() {
    return new Builder();
  }

  // calls

  /** Starts a run of {@code worker} with {@code payload} (any value Jackson writes as JSON). */
  public RunRef call(String worker, Object payload) {
    return call(worker, payload, CallOptions.NONE);
  }

  /**
   * Starts a run and returns as soon as the node has recorded it (202).
   *
   * @throws NotFoundException when no such worker is registered
   * @throws InvalidRequestException when the payload or an option is refused
   */
  public RunRef call(String worker, Object payload, CallOptions options) {
    HttpResponse<String> r = transport.send("POST", runsOf(worker), options.body(payload),
        transport.settings.requestTimeout(), Transport.Retry.ALWAYS);
    return RunRef.of(transport.json(r));
  }

  /**
   * Starts a run and waits for its end, at most {@code timeout}: the node holds the request open
   * ({@code ?wait=true}) for up to its own wait budget (60 s by default), and when the run takes
   * longer the client follows the run's stream for the rest of the timeout.
   *
   * @return the finished run, whatever its status (check {@link Run#status()})
   * @throws WaitTimeoutException when the run has not ended in time; it names the run, which goes on
   */
  public Run callAndWait(String worker, Object payload, Duration timeout) {
    return callAndWait(worker, payload, CallOptions.NONE, timeout);
  }

  /** {@link #callAndWait(String, Object, Duration)} with call options. */
  public Run callAndWait(String worker, Object payload, CallOptions options, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    CallOptions keyed = options.idempotencyKey() != null ? options
        : options.withIdempotencyKey(UUID.randomUUID().toString());
    String body = keyed.body(payload);
    HttpResponse<String> r;
    try {
      r = transport.send("POST", runsOf(worker) + "?wait=true", body, timeout,
          Transport.Retry.NOT_ON_TIMEOUT);
    } catch (UnreachableException e) {
      if (!(e.getCause() instanceof HttpTimeoutException)
          || e.getCause() instanceof HttpConnectTimeoutException) {
        throw e;
      }
      // the wait ran out: the same key tells which run it was, without starting another
      throw new WaitTimeoutException(call(worker, payload, keyed).runId(), timeout);
    }
    JsonNode json = transport.json(r);
    if (r.statusCode() == 200) {
      return Json.MAPPER.convertValue(json, Run.class);
    }
    String runId = RunRef.of(json).runId();
    Duration left = Duration.ofNanos(deadline - System.nanoTime());
    if (left.isNegative() || left.isZero()) {
      throw new WaitTimeoutException(runId, timeout);
    }
    return awaitResult(runId, left);
  }

  // runs

  /**
   * The run as the node knows it now.
   *
   * @throws NotFoundException when there is no such run
   */
  public Run get(String runId) {
    return Json.MAPPER.convertValue(transport.json(transport.send("GET", runPath(runId), null,
        transport.settings.requestTimeout(), Transport.Retry.ALWAYS)), Run.class);
  }

  /**
   * One page of runs (the active ones and the history), newest first, that pass every filter of
   * {@code query}.
   */
  public RunPage runs(RunQuery query) {
    String path = "/api/v1/runs" + query.queryString();
    return Json.MAPPER.convertValue(transport.json(transport.send("GET", path, null,
        transport.settings.requestTimeout(), Transport.Retry.ALWAYS)), RunPage.class);
  }

  /** The worker definitions of the cluster, with their configuration and stats. */
  public List<WorkerInfo> workers() {
    JsonNode list = transport.json(transport.send("GET", "/api/v1/workers", null,
        transport.settings.requestTimeout(), Transport.Retry.ALWAYS));
    return Json.MAPPER.convertValue(list, new TypeReference<List<WorkerInfo>>() {});
  }

  /**
   * Cancels a run that has not finished (it ends {@code CANCELLED}). Repeated only when the
   * request surely never reached a node, or was answered 502/503/504.
   *
   * @throws ConflictException when the run has already finished
   * @throws AccessDeniedException when the token is not an admin token
   * @throws NotFoundException when there is no such run
   */
  public void cancel(String runId) {
    transport.json(transport.send("POST", runPath(runId) + "/cancel", null,
        transport.settings.requestTimeout(), Transport.Retry.UNSENT));
  }

  /**
   * Waits, at most {@code timeout}, for the run to end, and returns it finished (whatever its
   * status). Follows the run's stream, so the end is known the moment it happens.
   *
   * @throws WaitTimeoutException when the run has not ended in time; the run goes on
   */
  public Run awaitResult(String runId, Duration timeout) {
    Run now = get(runId);
    if (now.isFinished()) {
      return now;
    }
    try (RunEventStream s = events(runId, 0, timeout)) {
      while (s.hasNext()) {
        RunEvent e = s.next();
        if (e.isTerminal()) {
          return e.run();
        }
      }
    }
    // closed before its end cannot happen here; a stream that ends without an outcome is a fault
    throw new TroupeException("the stream of run " + runId + " ended without its outcome");
  }

  /**
   * Re-runs a finished run: a new run of its worker with its payload, priority, concurrency key
   * and tags, which names it ({@link Rerun#rerunOf()}). Each re-run makes a new run, so the request
   * is repeated only when it surely never reached a node (or a node refused it with 503).
   *
   * @throws ConflictException when the run has not finished ({@code RUN_NOT_FINISHED})
   * @throws NotFoundException when there is no such run
   * @throws AccessDeniedException when the token is not an admin token
   */
  public Rerun rerun(String runId) {
    return Json.MAPPER.convertValue(transport.json(transport.send("POST", runPath(runId) + "/rerun",
        "{}", transport.settings.requestTimeout(), Transport.Retry.UNSENT)), Rerun.class);
  }

  /**
   * Re-runs {@code worker}'s FAILED runs created at or after {@code since} (null: any), as {@link
   * #rerun} does, a bounded number per call (the node's limit), read from the run history. Each
   * failed run is re-run at most once while its worker keeps the re-run, so the request is
   * repeated like a read; a repeated request counts only the runs it re-ran itself.
   *
   * @return how many runs this call re-ran
   * @throws NotFoundException when no such worker is registered
   * @throws AccessDeniedException when the token is not an admin token
   */
  public int rerunFailed(String worker, Instant since) {
    String body = since == null ? "{}" : Json.MAPPER.createObjectNode()
        .put("since", since.toString()).toString();
    return transport.json(transport.send("POST", "/api/v1/workers/" + UrlParts.segment(worker)
        + "/rerun-failed", body, transport.settings.requestTimeout(), Transport.Retry.ALWAYS))
        .path("rerun").asInt();
  }

  // schedules

  /** The cluster's cron schedules, through this client's nodes, token and retries. */
  public ScheduleClient schedules() {
    return schedules;
  }

  // streams

  /** The run's events from the first, for at most {@link Builder#defaultWait(Duration)}. */
  public RunEventStream events(String runId) {
    return events(runId, 0, transport.settings.defaultWait());
  }

  /**
   * The run's events after {@code afterId} (0: from the first) as a blocking iterator that
   * resumes by itself; {@link WaitTimeoutException} once {@code timeout} has passed before the
   * run's end. Close it when done early.
   */
  public RunEventStream events(String runId, long afterId, Duration timeout) {
    Objects.requireNonNull(runId, "runId");
    return new RunEventStream(transport, runId, afterId, timeout);
  }

  /** {@link #events(String)} as a {@link Flow.Publisher}: one stream per subscriber. */
  public Flow.Publisher<RunEvent> publisher(String runId) {
    return publisher(runId, 0, transport.settings.defaultWait());
  }

  /** {@link #events(String, long, Duration)} as a {@link Flow.Publisher}. */
  public Flow.Publisher<RunEvent> publisher(String runId, long afterId, Duration timeout) {
    Objects.requireNonNull(runId, "runId");
    return new RunEventPublisher(() -> events(runId, afterId, timeout));
  }

  // helpers

  private static String runsOf(String worker) {
    return "/api/v1/workers/" + UrlParts.segment(worker) + "/runs";
  }

  private static String runPath(String runId) {
    return "/api/v1/runs/" + UrlParts.segment(runId);
  }

  /**
   * Settings of a {@link TroupeClient}; every one has a default but the base URL. Durations must
   * be positive.
   */
  public static final class Builder {
    private final List<URI> baseUrls = new ArrayList<>();
    private String token;
    private Duration connectTimeout = Duration.ofSeconds(5);
    private Duration requestTimeout = Duration.ofSeconds(30);
    private int maxAttempts = 5;
    private Duration initialBackoff = Duration.ofMillis(200);
    private Duration maxBackoff = Duration.ofSeconds(5);
    private Duration idleTimeout = Duration.ofSeconds(45);
    private Duration reconnectTimeout = Duration.ofMinutes(2);
    private Duration defaultWait = Duration.ofHours(1);

    private Builder() {}

    /**
     * The nodes' base URLs, such as {@code http://troupe-1:8080}; each argument may also be a
     * comma-separated list. Tried in order, moving on when one cannot be reached.
     */
    public Builder baseUrls(String... urls) {
      for (String u : urls) {
        for (String one : u.split(",")) {
          String t = one.trim();
          if (!t.isEmpty()) {
            URI uri = URI.create(t.endsWith("/") ? t.substring(0, t.length() - 1) : t);
            if (uri.getScheme() == null || uri.getHost() == null) {
              throw new IllegalArgumentException("not an http(s) base URL: " + t);
            }
            baseUrls.add(uri);
          }
        }
      }
      return this;
    }

    /** A bearer token, sent on every request; null or blank for none. */
    public Builder token(String token) {
      this.token = token == null || token.isBlank() ? null : token.trim();
      return this;
    }

    /** How long to wait for a TCP connection to a node (default 5 s). */
    public Builder connectTimeout(Duration d) {
      this.connectTimeout = positive(d);
      return this;
    }

    /** How long to wait for a node's answer to a request that does not wait for a run (30 s). */
    public Builder requestTimeout(Duration d) {
      this.requestTimeout = positive(d);
      return this;
    }

    /** Tries of a request that may be repeated, the first included (default 5). */
    public Builder maxAttempts(int n) {
      if (n < 1) {
        throw new IllegalArgumentException("maxAttempts must be at least 1, was " + n);
      }
      this.maxAttempts = n;
      return this;
    }

    /** The pause before the second try, doubling for each next one up to {@code max} (200 ms, 5 s). */
    public Builder backoff(Duration initial, Duration max) {
      this.initialBackoff = positive(initial);
      this.maxBackoff = positive(max);
      return this;
    }

    /**
     * How long an event stream's connection may stay silent before it is taken for dead and
     * reconnected (default 45 s: three of the node's 15 s keep-alives).
     */
    public Builder idleTimeout(Duration d) {
      this.idleTimeout = positive(d);
      return this;
    }

    /** How long an event stream tries to reconnect without any node answering (default 2 min). */
    public Builder reconnectTimeout(Duration d) {
      this.reconnectTimeout = positive(d);
      return this;
    }

    /** The timeout of streams and publishers opened without one (default 1 h). */
    public Builder defaultWait(Duration d) {
      this.defaultWait = positive(d);
      return this;
    }

    /**
     * The client.
     *
     * @throws IllegalArgumentException when no base URL was given
     */
    public TroupeClient build() {
      if (baseUrls.isEmpty()) {
        throw new IllegalArgumentException("a base URL is required, such as http://localhost:8080");
      }
      return new TroupeClient(new ClientSettings(List.copyOf(baseUrls), token, connectTimeout,
          requestTimeout, maxAttempts, initialBackoff, maxBackoff, idleTimeout, reconnectTimeout,
          defaultWait));
    }

    private static Duration positive(Duration d) {
      if (d == null || d.isNegative() || d.isZero()) {
        throw new IllegalArgumentException("a duration must be positive, was " + d);
      }
      return d;
    }
  }
}
