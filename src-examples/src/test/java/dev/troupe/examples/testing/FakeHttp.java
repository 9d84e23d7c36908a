package dev.troupe.examples.testing;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A real HTTP server on a free local port (the JDK's), standing for the external services the
 * examples call. Each path answers its replies in order, repeating the last one; every request
 * is recorded.
 */
public final class FakeHttp implements AutoCloseable {
  /** What a path answers. */
  public record Reply(int status, String contentType, String body) {
    public static Reply json(int status, String body) {
      return new Reply(status, "application/json", body);
    }

    public static Reply html(String body) {
      return new Reply(200, "text/html; charset=utf-8", body);
    }
  }

  /** A request received. */
  public record Request(String method, String path, String authorization, String body) {}

  private final HttpServer server;
  private final Map<String, List<Reply>> replies = new ConcurrentHashMap<>();
  private final List<Request> requests = new CopyOnWriteArrayList<>();

  private FakeHttp(HttpServer server) {
    this.server = server;
  }

  /** Starts a server on a free port of the loopback address. */
  public static FakeHttp start() {
    try {
      FakeHttp fake = new FakeHttp(HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0));
      fake.server.createContext("/", fake::handle);
      fake.server.start();
      return fake;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Makes {@code path} answer {@code answers} in order, then the last one again and again. */
  public FakeHttp on(String path, Reply... answers) {
    replies.put(path, new ArrayList<>(List.of(answers)));
    return this;
  }

  /** The server's address, {@code http://127.0.0.1:<port>}. */
  public String url() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  public List<Request> requests() {
    return List.copyOf(requests);
  }

  private void handle(HttpExchange exchange) throws IOException {
    String path = exchange.getRequestURI().getPath();
    requests.add(new Request(exchange.getRequestMethod(), path,
        exchange.getRequestHeaders().getFirst("Authorization"),
        new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8)));
    List<Reply> queue = replies.get(path);
    Reply reply;
    if (queue == null) {
      reply = new Reply(404, "text/plain", "no such path: " + path);
    } else {
      synchronized (queue) {
        reply = queue.size() > 1 ? queue.remove(0) : queue.get(0);
      }
    }
    byte[] body = reply.body().getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", reply.contentType());
    exchange.sendResponseHeaders(reply.status(), body.length);
    exchange.getResponseBody().write(body);
    exchange.close();
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
