package dev.troupe.client;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A forwarding HTTP proxy in front of a node that misbehaves on demand, as load balancers and
 * networks do: it answers 503 to a POST that the node has in fact accepted, and cuts event
 * streams after a number of events. It records what it forwarded.
 */
final class FlakyProxy implements AutoCloseable {
  private static final List<String> FORWARDED =
      List.of("Authorization", "Content-Type", "Accept", "Last-Event-ID");

  private final HttpServer server;
  private final ExecutorService threads = Executors.newCachedThreadPool();
  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private final String target;
  private final AtomicInteger postsToLose = new AtomicInteger();
  private final AtomicInteger streamsToCut = new AtomicInteger();
  private volatile int cutAfterEvents;
  private final AtomicInteger streamsToStall = new AtomicInteger();
  private volatile int stallAfterEvents;
  /** Released at close: what a stalled stream waits for. */
  private final CountDownLatch closing = new CountDownLatch(1);
  /** The bodies of the POSTs forwarded, in order. */
  final List<String> posts = new CopyOnWriteArrayList<>();
  /** The Last-Event-ID of each event stream requested ("" for none), in order. */
  final List<String> streamRequests = new CopyOnWriteArrayList<>();

  FlakyProxy(String target) throws IOException {
    this.target = target;
    this.server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/", this::forward);
    server.setExecutor(threads);
    server.start();
  }

  String url() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  /** The next {@code n} POSTs reach the node, but their caller is told 503. */
  void loseNextPostAnswers(int n) {
    postsToLose.set(n);
  }

  /** The next {@code n} event streams are cut after {@code events} events. */
  void cutNextStreams(int n, int events) {
    cutAfterEvents = events;
    streamsToCut.set(n);
  }

  /**
   * The next {@code n} event streams go silent after {@code events} events: the connection stays
   * open but nothing more comes, not even a keep-alive, as with a host that vanished.
   */
  void stallNextStreams(int n, int events) {
    stallAfterEvents = events;
    streamsToStall.set(n);
  }

  private void forward(HttpExchange ex) throws IOException {
    try (ex) {
      byte[] body = ex.getRequestBody().readAllBytes();
      HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(target + ex.getRequestURI()))
          .method(ex.getRequestMethod(), body.length == 0 ? HttpRequest.BodyPublishers.noBody()
              : HttpRequest.BodyPublishers.ofByteArray(body));
      for (String h : FORWARDED) {
        String v = ex.getRequestHeaders().getFirst(h);
        if (v != null) {
          b.header(h, v);
        }
      }
      boolean stream = ex.getRequestURI().getPath().endsWith("/events");
      if (stream) {
        streamRequests.add(String.valueOf(
            ex.getRequestHeaders().getFirst("Last-Event-ID") == null ? ""
                : ex.getRequestHeaders().getFirst("Last-Event-ID")));
      }
      if ("POST".equals(ex.getRequestMethod())) {
        posts.add(new String(body, StandardCharsets.UTF_8));
      }
      HttpResponse<InputStream> r = http.send(b.build(), HttpResponse.BodyHandlers.ofInputStream());
      if ("POST".equals(ex.getRequestMethod()) && postsToLose.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
        r.body().close();
        respond(ex, 503, "{\"error\":{\"code\":\"UNAVAILABLE\",\"message\":\"lost on the way\"}}");
        return;
      }
      r.headers().firstValue("Content-Type").ifPresent(t -> ex.getResponseHeaders().set("Content-Type", t));
      if (stream && r.statusCode() == 200) {
        boolean stall = streamsToStall.getAndUpdate(n -> Math.max(0, n - 1)) > 0;
        relayEvents(ex, r.body(), stall ? stallAfterEvents
            : streamsToCut.getAndUpdate(n -> Math.max(0, n - 1)) > 0
                ? cutAfterEvents : Integer.MAX_VALUE);
        if (stall) {
          closing.await();
        }
        return;
      }
      byte[] answer;
      try (InputStream in = r.body()) {
        answer = in.readAllBytes();
      }
      ex.sendResponseHeaders(r.statusCode(), answer.length == 0 ? -1 : answer.length);
      ex.getResponseBody().write(answer);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Copies the stream line by line; ends the answer after {@code limit} events. */
  private static void relayEvents(HttpExchange ex, InputStream upstream, int limit) throws IOException {
    ex.sendResponseHeaders(200, 0);
    OutputStream out = ex.getResponseBody();
    try (BufferedReader lines = new BufferedReader(new InputStreamReader(upstream, StandardCharsets.UTF_8))) {
      int events = 0;
      boolean data = false;
      String line;
      while ((line = lines.readLine()) != null) {
        out.write((line + "\n").getBytes(StandardCharsets.UTF_8));
        if (line.startsWith("data:")) {
          data = true;
        } else if (line.isEmpty()) {
          out.flush();
          if (data && ++events >= limit) {
            return;
          }
          data = false;
        }
      }
    }
  }

  private static void respond(HttpExchange ex, int status, String json) throws IOException {
    byte[] b = json.getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().set("Content-Type", "application/json");
    ex.sendResponseHeaders(status, b.length);
    ex.getResponseBody().write(b);
  }

  @Override
  public void close() {
    closing.countDown();
    server.stop(0);
    threads.shutdownNow();
  }
}
