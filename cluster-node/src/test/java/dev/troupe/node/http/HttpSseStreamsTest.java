package dev.troupe.node.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.troupe.api.RunResult;
import dev.troupe.api.WorkerConfig;
import dev.troupe.node.TestNodes;
import dev.troupe.node.TroupeNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.LongStream;
import org.apache.pekko.actor.typed.ActorSystem;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Many SSE streams at once over java.net.http (HTTP/1.1, one connection each): every stream gets
 * every event in order, and a client that disconnects frees what it held on the node (the SSE
 * subscriber gauge, the run's subscribers).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HttpSseStreamsTest {
  private static final Pattern SSE_GAUGE = Pattern.compile("(?m)^troupe_sse_subscribers (\\S+)$");

  private final ObjectMapper json = new ObjectMapper();
  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(10)).build();
  /** Runs of "gated" wait for their gate (payload "gate") to open before they emit. */
  private final Map<String, CountDownLatch> gates = new ConcurrentHashMap<>();
  private ActorSystem<Void> system;
  private TroupeNode troupe;
  private String base;

  @BeforeAll
  void start() throws Exception {
    // pekko-http reads nothing from a connection while its response streams, so a client that
    // went away is noticed at the next write (an event or the keep-alive comment): a short
    // keep-alive keeps the disconnect test short
    system = TestNodes.system(TestNodes.config(TestNodes.newH2Url(),
        "troupe.http { enabled = on, host = 127.0.0.1, port = 0, sse-keep-alive = 1s }"));
    troupe = TroupeNode.start(system);
    // emits "count" messages {"i": 1..count}, 2 ms apart, once its gate is open
    troupe.registerBlocking("gated", WorkerConfig.DEFAULT.withTimeout(Duration.ofMinutes(2)), ctx -> {
      gate(ctx.payload().get("gate").asText()).await();
      int count = ctx.payload().path("count").asInt();
      for (int i = 1; i <= count; i++) {
        ctx.emit(ctx.newObject().put("i", i));
        ctx.sleep(Duration.ofMillis(2));
      }
      return ctx.newObject().put("emitted", count);
    });
    var binding = HttpServer.start(troupe, HttpSettings.fromConfig(system.settings().config()))
        .toCompletableFuture().get(20, TimeUnit.SECONDS);
    base = "http://127.0.0.1:" + binding.localAddress().getPort();
  }

  @AfterAll
  void stop() throws Exception {
    gates.values().forEach(CountDownLatch::countDown);
    system.terminate();
    system.getWhenTerminated().toCompletableFuture().get(60, TimeUnit.SECONDS);
  }

  private CountDownLatch gate(String name) {
    return gates.computeIfAbsent(name, n -> new CountDownLatch(1));
  }

  private String startRun(String gate, int count) throws Exception {
    HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/workers/gated/runs"))
        .header("Content-Type", "application/json").timeout(Duration.ofSeconds(20))
        .POST(HttpRequest.BodyPublishers.ofString("{\"payload\":{\"gate\":\"" + gate + "\",\"count\":" + count + "}}"))
        .build(), HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
    return json.readTree(r.body()).get("runId").asText();
  }

  /** Follows the events of {@code runId}; the stream's frames come with its end. */
  private Stream follow(String runId) {
    return open(HttpRequest.newBuilder(URI.create(base + "/api/v1/runs/" + runId + "/events")).GET());
  }

  /** Calls "gated" with {@code Accept: text/event-stream}: a new run, streamed. */
  private Stream callStreaming(String gate) {
    return open(HttpRequest.newBuilder(URI.create(base + "/api/v1/workers/gated/runs"))
        .header("Content-Type", "application/json").header("Accept", "text/event-stream")
        .POST(HttpRequest.BodyPublishers.ofString("{\"payload\":{\"gate\":\"" + gate + "\",\"count\":1}}")));
  }

  private Stream open(HttpRequest.Builder request) {
    Stream s = new Stream();
    s.response = http.sendAsync(request.build(),
        HttpResponse.BodyHandlers.fromLineSubscriber(s, Stream::frames, null));
    return s;
  }

  /** The node's {@code troupe_sse_subscribers} gauge, from /metrics. */
  private int sseGauge() throws Exception {
    String metrics = http.send(HttpRequest.newBuilder(URI.create(base + "/metrics")).build(),
        HttpResponse.BodyHandlers.ofString()).body();
    Matcher m = SSE_GAUGE.matcher(metrics);
    assertThat(m.find()).as("troupe_sse_subscribers in /metrics").isTrue();
    return (int) Double.parseDouble(m.group(1));
  }

  @Test
  void fiftyStreamsOnOneRunEachGetEveryEventInOrder() throws Exception {
    // given a run held at its gate, and 50 clients following it
    String runId = startRun("one-run", 300);
    List<Stream> streams = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      streams.add(follow(runId));
    }
    await().atMost(Duration.ofSeconds(30)).until(() ->
        TestNodes.runSubscribers(troupe, runId) == 50 && sseGauge() == 50);
    // when the run emits its 300 messages, live
    gate("one-run").countDown();
    // then
    for (Stream s : streams) {
      assertEveryEventInOrder(s.response.get(60, TimeUnit.SECONDS), 300);
    }
    await().atMost(Duration.ofSeconds(10)).until(() -> sseGauge() == 0);
  }

  @Test
  void fiftyStreamsOverFiveRunsEachGetEveryEventOfTheirRunInOrder() throws Exception {
    // given five runs held at one gate, ten clients following each
    Map<String, List<Stream>> byRun = new LinkedHashMap<>();
    for (int r = 0; r < 5; r++) {
      String runId = startRun("five-runs", 100);
      List<Stream> streams = new ArrayList<>();
      for (int i = 0; i < 10; i++) {
        streams.add(follow(runId));
      }
      byRun.put(runId, streams);
    }
    await().atMost(Duration.ofSeconds(30)).until(() -> sseGauge() == 50
        && byRun.keySet().stream().allMatch(id -> TestNodes.runSubscribers(troupe, id) == 10));
    // when
    gate("five-runs").countDown();
    // then
    for (Map.Entry<String, List<Stream>> run : byRun.entrySet()) {
      for (Stream s : run.getValue()) {
        List<Frame> frames = s.response.get(60, TimeUnit.SECONDS).body();
        assertEveryEventInOrder(frames, 100);
        assertThat(json.readTree(frames.get(frames.size() - 1).data()).get("runId").asText())
            .isEqualTo(run.getKey());
      }
    }
    await().atMost(Duration.ofSeconds(10)).until(() -> sseGauge() == 0);
  }

  @Test
  void clientsThatDisconnectFreeTheirSubscriptions() throws Exception {
    // given 15 clients following one run and 5 that called with Accept: text/event-stream, all
    // on runs that wait at a closed gate
    String runId = startRun("disconnect", 1);
    List<Stream> streams = new ArrayList<>();
    for (int i = 0; i < 15; i++) {
      streams.add(follow(runId));
    }
    for (int i = 0; i < 5; i++) {
      streams.add(callStreaming("disconnect"));
    }
    await().atMost(Duration.ofSeconds(30)).until(() -> sseGauge() == 20
        && TestNodes.runSubscribers(troupe, runId) == 15
        && streams.stream().allMatch(s -> s.frames.size() > 0));
    // the streamed calls' runs: the other active runs of "gated" (earlier tests' runs finished)
    List<String> streamedRuns = troupe.active("gated").toCompletableFuture().get(10, TimeUnit.SECONDS)
        .stream().map(RunResult::runId).filter(id -> !id.equals(runId)).toList();
    assertThat(streamedRuns).hasSize(5)
        .allSatisfy(id -> assertThat(TestNodes.runSubscribers(troupe, id)).isEqualTo(1));
    // when every client goes away
    streams.forEach(Stream::disconnect);
    // then the node lets go of every stream, while the runs go on
    await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
      assertThat(sseGauge()).isZero();
      assertThat(TestNodes.runSubscribers(troupe, runId)).isZero();
      assertThat(streamedRuns).allSatisfy(id -> assertThat(TestNodes.runSubscribers(troupe, id)).isZero());
    });
    assertThat(troupe.lookup(runId).toCompletableFuture().get(10, TimeUnit.SECONDS).orElseThrow()
        .status().isTerminal()).isFalse();
  }

  private void assertEveryEventInOrder(HttpResponse<List<Frame>> response, int messages) throws Exception {
    assertThat(response.statusCode()).isEqualTo(200);
    assertEveryEventInOrder(response.body(), messages);
  }

  private void assertEveryEventInOrder(List<Frame> frames, int messages) throws Exception {
    assertThat(frames).extracting(f -> Long.parseLong(f.id()))
        .containsExactlyElementsOf(LongStream.rangeClosed(1, frames.size()).boxed().toList());
    List<Integer> received = new ArrayList<>();
    for (Frame f : frames) {
      if (f.event().equals("message")) {
        received.add(json.readTree(f.data()).get("i").asInt());
      }
    }
    assertThat(received).hasSize(messages).isSorted().doesNotHaveDuplicates();
    Frame last = frames.get(frames.size() - 1);
    assertThat(last.event()).isEqualTo("result");
    JsonNode run = json.readTree(last.data());
    assertThat(run.get("result").get("emitted").asInt()).isEqualTo(messages);
  }

  /** One server-sent event. */
  record Frame(String id, String event, String data) {}

  /** A client's SSE stream: its frames as they come, and its subscription, to disconnect. */
  private static final class Stream implements Flow.Subscriber<String> {
    final List<Frame> frames = new CopyOnWriteArrayList<>();
    CompletableFuture<HttpResponse<List<Frame>>> response;
    private volatile Flow.Subscription subscription;
    private String id;
    private String event;
    private String data;

    @Override
    public void onSubscribe(Flow.Subscription s) {
      subscription = s;
      s.request(Long.MAX_VALUE);
    }

    @Override
    public void onNext(String line) {
      if (line.isEmpty()) {
        if (event != null) {
          frames.add(new Frame(id, event, data));
        }
        id = null;
        event = null;
        data = null;
      } else if (line.startsWith("id:")) {
        id = line.substring(3).trim();
      } else if (line.startsWith("event:")) {
        event = line.substring(6).trim();
      } else if (line.startsWith("data:")) {
        data = line.substring(5).trim();
      }
    }

    @Override
    public void onError(Throwable t) {
      // a disconnected stream ends here; the test looks at the node, not at this client
    }

    @Override
    public void onComplete() {
      // the frames are complete
    }

    List<Frame> frames() {
      return List.copyOf(frames);
    }

    /** Cancels the body subscription: the client closes the connection. */
    void disconnect() {
      subscription.cancel();
    }
  }
}
