package dev.troupe.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.io.BufferedReader;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * A run's events as a blocking iterator, from {@link TroupeClient#events}. It ends after the
 * run's {@code result} or {@code error} event.
 *
 * <p>Guarantees: every event of the run after the starting id is returned exactly once and in
 * order, whatever happens to connections. When a connection drops, ends early, or stays silent
 * past the idle timeout (the node sends a keep-alive comment every 15 s, so silence means a dead
 * connection), the stream reconnects with {@code Last-Event-ID} set to the last id it returned:
 * to the same node, or to the next base URL when that one cannot be reached, as a node that
 * restarted or another node of the cluster can go on with the run's persisted stream. An event
 * whose id it has already returned is dropped, should a node ever send one again.
 *
 * <p>Bounds: {@link #hasNext()} throws {@link UnreachableException} (or the node's last error)
 * when no node has given it a connection for the client's reconnect timeout, and {@link
 * WaitTimeoutException} when the run has not ended within the stream's timeout. Not thread-safe,
 * except {@link #close()}, which any thread may call to end a blocked {@link #hasNext()}.
 */
public final class RunEventStream implements Iterator<RunEvent>, AutoCloseable {
  /** How often the timer checks a connection for silence and the stream for its deadline. */
  private static final long TICK_MS = 200;

  private final Transport transport;
  private final String runId;
  private final Duration timeout;
  private final long deadline;
  private long lastId;
  private RunEvent pending;
  private boolean ended;
  private int connections;
  private SseReader reader;
  private volatile InputStream body;
  private volatile boolean closed;
  private volatile long lastActivity = System.nanoTime();
  private final ScheduledFuture<?> watch;

  RunEventStream(Transport transport, String runId, long afterId, Duration timeout) {
    this.transport = transport;
    this.runId = runId;
    this.lastId = afterId;
    this.timeout = timeout;
    this.deadline = System.nanoTime() + timeout.toNanos();
    this.watch = Transport.TIMER.scheduleAtFixedRate(this::check, TICK_MS, TICK_MS,
        TimeUnit.MILLISECONDS);
  }

  /** The run followed. */
  public String runId() {
    return runId;
  }

  /** The id of the last event returned (or the id the stream started after). */
  public long lastEventId() {
    return lastId;
  }

  /** The stream's timeout, counted from its creation. */
  Duration timeout() {
    return timeout;
  }

  /** Whether the stream's timeout has passed. */
  boolean overdue() {
    return System.nanoTime() - deadline >= 0;
  }

  /** How many connections the stream has opened so far: more than 1 means it resumed. */
  public int connections() {
    return connections;
  }

  /** Blocks until the next event, the end of the run's stream, or a failure (see the class). */
  @Override
  public boolean hasNext() {
    if (pending == null && !ended) {
      pending = fetch();
    }
    return pending != null;
  }

  @Override
  public RunEvent next() {
    if (!hasNext()) {
      throw new NoSuchElementException("run " + runId + ": no more events");
    }
    RunEvent e = pending;
    pending = null;
    return e;
  }

  /** Ends the stream and its connection; the run itself goes on. */
  @Override
  public void close() {
    closed = true;
    ended = true;
    disconnect();
    watch.cancel(false);
  }

  private RunEvent fetch() {
    long since = System.nanoTime(); // the reconnect timeout counts from the last progress
    int attempt = 0;
    while (true) {
      if (closed) {
        return null;
      }
      if (System.nanoTime() - deadline >= 0) {
        close();
        throw new WaitTimeoutException(runId, timeout);
      }
      if (reader == null) {
        if (!connect(++attempt, since)) {
          continue;
        }
        attempt = 0;
        since = System.nanoTime();
      }
      SseReader.Event e;
      try {
        e = reader.next();
      } catch (IOException dropped) {
        e = null;
      }
      if (e == null) {
        disconnect(); // dropped or ended before the run's outcome: resume
        continue;
      }
      since = System.nanoTime();
      if (e.id() != null && e.id() <= lastId) {
        continue;
      }
      if (e.id() != null) {
        lastId = e.id();
      }
      RunEvent event = new RunEvent(e.id() == null ? 0 : e.id(), e.type(), parse(e.data()));
      if (event.isTerminal()) {
        close();
      }
      return event;
    }
  }

  /**
   * One try to connect; false after a failure worth another try (after a pause).
   *
   * @throws TroupeApiException when the node refuses the stream (unknown run, token)
   * @throws UnreachableException when no node answered for the reconnect timeout
   */
  private boolean connect(int attempt, long since) {
    URI base = transport.base();
    TroupeException failure;
    try {
      HttpResponse<InputStream> r = transport.openEvents(base, runId, lastId);
      if (r.statusCode() == 200) {
        lastActivity = System.nanoTime();
        body = new Activity(r.body());
        reader = new SseReader(new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8)));
        connections++;
        return true;
      }
      String text;
      try (InputStream in = r.body()) {
        text = new String(in.readNBytes(64 * 1024), StandardCharsets.UTF_8);
      }
      TroupeApiException error = Transport.error(r.statusCode(), text);
      if (!Transport.retryable(r.statusCode())) {
        close();
        throw error;
      }
      failure = error;
    } catch (IOException e) {
      failure = transport.unreachable("GET /api/v1/runs/" + runId + "/events", e);
    }
    transport.failed(base);
    if (closed) {
      return false;
    }
    if (System.nanoTime() - since > transport.settings.reconnectTimeout().toNanos()) {
      close();
      throw failure;
    }
    transport.pause(attempt, null);
    return false;
  }

  private void disconnect() {
    InputStream b = body;
    body = null;
    reader = null;
    if (b != null) {
      try {
        b.close();
      } catch (IOException ignored) {
        // the connection is being given up anyway
      }
    }
  }

  /** On the timer: a silent connection or an overdue stream is closed, which unblocks the reader. */
  private void check() {
    InputStream b = body;
    long now = System.nanoTime();
    if (closed || b == null && now - deadline >= 0) {
      watch.cancel(false); // ended, or abandoned past its deadline: nothing left to watch
      return;
    }
    boolean silent = now - lastActivity > transport.settings.idleTimeout().toNanos();
    if (b != null && (silent || now - deadline >= 0)) {
      try {
        b.close();
      } catch (IOException ignored) {
        // closing is all that is wanted
      }
    }
  }

  private static JsonNode parse(String data) {
    try {
      return Json.MAPPER.readTree(data);
    } catch (IOException notJson) {
      return TextNode.valueOf(data);
    }
  }

  /** The body of a connection, noting when bytes (events or keep-alives) last came. */
  private final class Activity extends FilterInputStream {
    Activity(InputStream in) {
      super(in);
    }

    @Override
    public int read() throws IOException {
      int b = super.read();
      lastActivity = System.nanoTime();
      return b;
    }

    @Override
    public int read(byte[] buf, int off, int len) throws IOException {
      int n = super.read(buf, off, len);
      lastActivity = System.nanoTime();
      return n;
    }
  }
}
