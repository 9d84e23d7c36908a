package dev.troupe.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A run's stream followed across a crash of its node: the node stops mid-run and a node comes
 * back on the same journal (H2 file), on the same URL or on another of the client's URLs; the
 * client resumes there and gets every event exactly once.
 */
class NodeRestartResumeTest {
  /** Stops without a drain: connections are cut and the run is left as the journal last saw it. */
  private static final String CRASH = "pekko.coordinated-shutdown.run-by-actor-system-terminate = off";
  private static final Duration WAIT = Duration.ofSeconds(90);

  private final List<TestNode> nodes = new ArrayList<>();

  @AfterEach
  void stopNodes() {
    nodes.forEach(TestNode::close);
  }

  private TestNode start(String db, int port, String extra) {
    TestNode n = TestNode.start(db, port, extra);
    nodes.add(n);
    return n;
  }

  @Test
  void theIteratorResumesOnTheNodeRestartedBehindTheSameUrl() {
    String db = TestNode.newH2Url();
    int port = TestNode.freePort();
    TestNode first = start(db, port, CRASH);
    TroupeClient client = TroupeClient.builder().baseUrls(first.url())
        .backoff(Duration.ofMillis(50), Duration.ofMillis(500)).build();
    RunRef ref = client.call("emitter", Map.of("count", 20, "intervalMs", 100));
    List<RunEvent> got = new CopyOnWriteArrayList<>();
    AtomicReference<Throwable> failure = new AtomicReference<>();
    AtomicReference<Integer> connections = new AtomicReference<>();
    Thread reader = new Thread(() -> {
      try (RunEventStream s = client.events(ref.runId(), 0, WAIT)) {
        s.forEachRemaining(got::add);
        connections.set(s.connections());
      } catch (Throwable t) {
        failure.set(t);
      }
    });
    reader.start();
    // when the node crashes mid-run and comes back on the same port
    crashAfterMessages(first, got, 3);
    start(db, port, "");
    // then
    await().atMost(WAIT).until(() -> !reader.isAlive());
    assertThat(failure.get()).isNull();
    assertThat(connections.get()).isGreaterThanOrEqualTo(2);
    assertEveryEventOnceAndTheRunFinishedOnASecondAttempt(client, ref, got);
  }

  @Test
  void thePublisherResumesOnAnotherNodeOfItsUrlsAfterACrash() {
    String db = TestNode.newH2Url();
    int otherPort = TestNode.freePort();
    TestNode first = start(db, 0, CRASH);
    TroupeClient client = TroupeClient.builder()
        .baseUrls(first.url(), "http://127.0.0.1:" + otherPort)
        .backoff(Duration.ofMillis(50), Duration.ofMillis(500)).build();
    RunRef ref = client.call("emitter", Map.of("count", 20, "intervalMs", 100));
    List<RunEvent> got = new CopyOnWriteArrayList<>();
    AtomicReference<String> end = new AtomicReference<>();
    client.publisher(ref.runId(), 0, WAIT).subscribe(new Flow.Subscriber<>() {
      @Override
      public void onSubscribe(Flow.Subscription s) {
        s.request(Long.MAX_VALUE);
      }

      @Override
      public void onNext(RunEvent e) {
        got.add(e);
      }

      @Override
      public void onError(Throwable t) {
        end.set("error " + t);
      }

      @Override
      public void onComplete() {
        end.set("complete");
      }
    });
    // when the node crashes mid-run and the journal's next node starts on the other URL
    crashAfterMessages(first, got, 3);
    start(db, otherPort, "");
    // then
    await().atMost(WAIT).until(() -> end.get() != null);
    assertThat(end.get()).isEqualTo("complete");
    assertEveryEventOnceAndTheRunFinishedOnASecondAttempt(client, ref, got);
  }

  private static void crashAfterMessages(TestNode node, List<RunEvent> got, int messages) {
    await().atMost(WAIT).until(() -> got.stream().filter(e -> e.type().equals("message")).count()
        >= messages);
    node.close();
  }

  private static void assertEveryEventOnceAndTheRunFinishedOnASecondAttempt(TroupeClient client,
      RunRef ref, List<RunEvent> got) {
    // ids 1..n: none missed, none twice
    assertThat(got).extracting(RunEvent::id)
        .containsExactlyElementsOf(LongStream.rangeClosed(1, got.size()).boxed().toList());
    // the same events as the whole stream read afresh from the node that finished the run
    List<RunEvent> whole = new ArrayList<>();
    client.events(ref.runId(), 0, WAIT).forEachRemaining(whole::add);
    assertThat(got).isEqualTo(whole);
    // messages of the crashed attempt, then all of the second
    assertThat(got).filteredOn(e -> e.type().equals("message"))
        .extracting(e -> e.data().get("attempt").asInt()).contains(1, 2);
    assertThat(got).filteredOn(e -> e.type().equals("message")
            && e.data().get("attempt").asInt() == 2)
        .extracting(e -> e.data().get("i").asInt())
        .containsExactlyElementsOf(java.util.stream.IntStream.rangeClosed(1, 20).boxed().toList());
    Run run = got.get(got.size() - 1).run();
    assertThat(run.status()).isEqualTo(RunStatus.SUCCEEDED);
    assertThat(run.attempts()).isEqualTo(2);
  }
}
