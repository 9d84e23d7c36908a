package dev.troupe.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** The client against a real node: calls, waits, reads, cancel, streams, retries, errors. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TroupeClientTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration WAIT = Duration.ofSeconds(30);

  private TestNode node;
  private TroupeClient client;

  record Greeting(String hello, int n) {}

  @BeforeAll
  void start() {
    node = TestNode.start();
    client = quickRetries(TroupeClient.builder().baseUrls(node.url())).build();
  }

  @AfterAll
  void stop() {
    if (node != null) {
      node.close();
    }
  }

  private static TroupeClient.Builder quickRetries(TroupeClient.Builder b) {
    return b.backoff(Duration.ofMillis(20), Duration.ofMillis(200));
  }

  @Test
  void callAndWaitReturnsTheFinishedRunWithItsTypedResult() {
    // when
    Run run = client.callAndWait("echo", new Greeting("world", 3), WAIT);
    // then
    assertThat(run.status()).isEqualTo(RunStatus.SUCCEEDED);
    assertThat(run.isFinished()).isTrue();
    assertThat(run.worker()).isEqualTo("echo");
    assertThat(run.resultAs(Greeting.class)).isEqualTo(new Greeting("world", 3));
    assertThat(run.finishedAt()).isAfterOrEqualTo(run.createdAt());
    assertThat(client.get(run.runId())).isEqualTo(run);
    assertThat(run.traceId()).as("the node does not trace").isNull();
  }

  @Test
  void aFailedRunIsReturnedWithItsError() {
    Run run = client.callAndWait("fail", Map.of(), WAIT);
    assertThat(run.status()).isEqualTo(RunStatus.FAILED);
    assertThat(run.error().code()).isEqualTo("PERMANENT_ERROR");
    assertThat(run.error().message()).contains("asked to fail");
  }

  @Test
  void callReturnsAtOnceAndAwaitResultWaitsForTheEnd() {
    // given
    RunRef ref = client.call("slow", Map.of("ms", 300));
    // then
    assertThat(ref.existing()).isFalse();
    assertThat(ref.traceId()).as("the node does not trace").isNull();
    assertThat(client.get(ref.runId()).isFinished()).isFalse();
    Run done = client.awaitResult(ref.runId(), WAIT);
    assertThat(done.status()).isEqualTo(RunStatus.SUCCEEDED);
    assertThat(done.result()).isEqualTo(JSON.createObjectNode().put("sleptMs", 300));
  }

  @Test
  void aWaitThatRunsOutNamesTheRunWhichGoesOn() {
    // when
    RunRef ref = client.call("slow", Map.of("ms", 60_000));
    // then
    assertThatThrownBy(() -> client.awaitResult(ref.runId(), Duration.ofMillis(300)))
        .isInstanceOfSatisfying(WaitTimeoutException.class,
            e -> assertThat(e.runId()).isEqualTo(ref.runId()));
    assertThatThrownBy(() -> client.callAndWait("slow", Map.of("ms", 60_000), Duration.ofMillis(500)))
        .isInstanceOfSatisfying(WaitTimeoutException.class, e -> {
          assertThat(e.runId()).isNotNull();
          assertThat(client.get(e.runId()).isFinished()).isFalse();
          client.cancel(e.runId());
        });
    assertThat(client.get(ref.runId()).isFinished()).isFalse();
    client.cancel(ref.runId());
    assertThat(client.awaitResult(ref.runId(), WAIT).status()).isEqualTo(RunStatus.CANCELLED);
  }

  @Test
  void theEventStreamHasTheProgressReportsInOrderAndEndsWithTheResult() {
    // given
    RunRef ref = client.call("progress", Map.of("steps", 4, "intervalMs", 30));
    // when
    List<RunEvent> events = new ArrayList<>();
    try (RunEventStream stream = client.events(ref.runId())) {
      stream.forEachRemaining(events::add);
      assertThat(stream.connections()).isEqualTo(1);
    }
    // then
    assertThat(events).extracting(RunEvent::id)
        .containsExactlyElementsOf(LongStream.rangeClosed(1, events.size()).boxed().toList());
    assertThat(events).filteredOn(e -> e.progress().isPresent())
        .extracting(e -> e.progress().getAsDouble()).containsExactly(25.0, 50.0, 75.0, 100.0);
    assertThat(events).filteredOn(e -> e.progress().isPresent())
        .extracting(e -> e.data().get("message").asText())
        .containsExactly("step 1/4", "step 2/4", "step 3/4", "step 4/4");
    RunEvent last = events.get(events.size() - 1);
    assertThat(last.type()).isEqualTo(RunEvent.RESULT);
    assertThat(last.run().status()).isEqualTo(RunStatus.SUCCEEDED);
    assertThat(last.run().result().get("steps").asInt()).isEqualTo(4);
  }

  @Test
  void thePublisherDeliversTheSameEventsOnDemandAndCompletes() {
    // given
    RunRef ref = client.call("progress", Map.of("steps", 3, "intervalMs", 20));
    List<RunEvent> got = new CopyOnWriteArrayList<>();
    AtomicReference<String> end = new AtomicReference<>();
    // when: one event requested at a time
    client.publisher(ref.runId()).subscribe(new Flow.Subscriber<>() {
      private Flow.Subscription s;

      @Override
      public void onSubscribe(Flow.Subscription subscription) {
        s = subscription;
        s.request(1);
      }

      @Override
      public void onNext(RunEvent item) {
        got.add(item);
        s.request(1);
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
    // then
    await().atMost(WAIT).until(() -> end.get() != null);
    assertThat(end.get()).isEqualTo("complete");
    List<RunEvent> again = new ArrayList<>();
    client.events(ref.runId()).forEachRemaining(again::add);
    assertThat(got).isEqualTo(again);
    assertThat(got).filteredOn(e -> e.progress().isPresent()).hasSize(3);
  }

  @Test
  void aStreamCutMidRunResumesAfterItsLastEventWithoutLossOrRepeat() throws Exception {
    try (FlakyProxy proxy = new FlakyProxy(node.url())) {
      // given a proxy that cuts the first two streams after 3 events each
      TroupeClient viaProxy = quickRetries(TroupeClient.builder().baseUrls(proxy.url())).build();
      RunRef ref = viaProxy.call("progress", Map.of("steps", 8, "intervalMs", 40));
      proxy.cutNextStreams(2, 3);
      // when
      List<RunEvent> events = new ArrayList<>();
      int connections;
      try (RunEventStream stream = viaProxy.events(ref.runId())) {
        stream.forEachRemaining(events::add);
        connections = stream.connections();
      }
      // then it reconnected twice, each time after the last event it had
      assertThat(connections).isEqualTo(3);
      assertThat(proxy.streamRequests).containsExactly("", "3", "6");
      List<RunEvent> whole = new ArrayList<>();
      client.events(ref.runId()).forEachRemaining(whole::add);
      assertThat(events).isEqualTo(whole);
      assertThat(events).extracting(RunEvent::id)
          .containsExactlyElementsOf(LongStream.rangeClosed(1, events.size()).boxed().toList());
      assertThat(events.get(events.size() - 1).run().status()).isEqualTo(RunStatus.SUCCEEDED);
    }
  }

  @Test
  void aStreamThatGoesSilentIsTakenForDeadAndResumed() throws Exception {
    try (FlakyProxy proxy = new FlakyProxy(node.url())) {
      // given a proxy whose first stream goes silent after 3 events, and a short idle timeout
      TroupeClient viaProxy = quickRetries(TroupeClient.builder().baseUrls(proxy.url()))
          .idleTimeout(Duration.ofMillis(700)).build();
      RunRef ref = viaProxy.call("progress", Map.of("steps", 6, "intervalMs", 100));
      proxy.stallNextStreams(1, 3);
      // when
      List<RunEvent> events = new ArrayList<>();
      int connections;
      try (RunEventStream stream = viaProxy.events(ref.runId())) {
        stream.forEachRemaining(events::add);
        connections = stream.connections();
      }
      // then
      assertThat(connections).isEqualTo(2);
      assertThat(proxy.streamRequests).containsExactly("", "3");
      assertThat(events).extracting(RunEvent::id)
          .containsExactlyElementsOf(LongStream.rangeClosed(1, events.size()).boxed().toList());
      assertThat(events.get(events.size() - 1).run().status()).isEqualTo(RunStatus.SUCCEEDED);
    }
  }

  @Test
  void aStartCallAnswered503IsRepeatedWithItsKeyAndMakesOneRun() throws Exception {
    try (FlakyProxy proxy = new FlakyProxy(node.url())) {
      // given a proxy that loses the answers of the first two POSTs the node accepted
      TroupeClient viaProxy = quickRetries(TroupeClient.builder().baseUrls(proxy.url())).build();
      proxy.loseNextPostAnswers(2);
      String marker = "retry-" + System.nanoTime();
      long runsBefore = echoRuns();
      // when
      RunRef ref = viaProxy.call("echo", Map.of("marker", marker));
      // then three tries with one key, and one run
      assertThat(proxy.posts).hasSize(3);
      List<String> keys = proxy.posts.stream()
          .map(p -> readTree(p).get("idempotencyKey").asText()).distinct().toList();
      assertThat(keys).hasSize(1);
      assertThat(ref.existing()).isTrue();
      assertThat(client.awaitResult(ref.runId(), WAIT).result().get("marker").asText())
          .isEqualTo(marker);
      assertThat(echoRuns()).isEqualTo(runsBefore + 1);
      await().atMost(WAIT).untilAsserted(() -> assertThat(
          client.runs(RunQuery.ALL.worker("echo").limit(500)).runs())
          .filteredOn(r -> r.payload().path("marker").asText().equals(marker)).hasSize(1));
    }
  }

  /** The finished runs of {@code echo}, from its stats (counted by its entity as they finish). */
  private long echoRuns() {
    return client.workers().stream().filter(w -> w.name().equals("echo")).findFirst()
        .orElseThrow().stat("runs");
  }

  @Test
  void aNodeThatRefusesConnectionsIsSkippedForTheNextBaseUrl() {
    // given a first base URL where nothing listens
    TroupeClient twoNodes = quickRetries(TroupeClient.builder()
        .baseUrls("http://127.0.0.1:" + TestNode.freePort() + "," + node.url())).build();
    // when
    Run run = twoNodes.callAndWait("echo", Map.of("n", 1), WAIT);
    // then
    assertThat(run.status()).isEqualTo(RunStatus.SUCCEEDED);
    assertThat(twoNodes.workers()).extracting(WorkerInfo::name).contains("echo");
  }

  @Test
  void noNodeAtAllIsUnreachableAfterTheRetries() {
    TroupeClient nowhere = quickRetries(TroupeClient.builder()
        .baseUrls("http://127.0.0.1:" + TestNode.freePort()).maxAttempts(3)).build();
    assertThatThrownBy(() -> nowhere.call("echo", Map.of()))
        .isInstanceOf(UnreachableException.class).hasMessageContaining("cannot reach Troupe");
  }

  @Test
  void errorAnswersBecomeTypedExceptionsWithTheNodesCodeAndMessage() {
    assertThatThrownBy(() -> client.call("no-such-worker", Map.of()))
        .isInstanceOfSatisfying(NotFoundException.class, e -> {
          assertThat(e.status()).isEqualTo(404);
          assertThat(e.code()).isEqualTo("UNKNOWN_WORKER");
          assertThat(e.getMessage()).contains("no-such-worker");
        });
    assertThatThrownBy(() -> client.call("echo", Map.of(),
        CallOptions.NONE.withTimeout(Duration.ofMillis(-5))))
        .isInstanceOfSatisfying(InvalidRequestException.class, e -> {
          assertThat(e.status()).isEqualTo(400);
          assertThat(e.code()).isEqualTo("INVALID_REQUEST");
          assertThat(e.getMessage()).contains("timeoutMs");
        });
    assertThatThrownBy(() -> client.call("Not A Name", Map.of()))
        .isInstanceOf(InvalidRequestException.class);
    assertThatThrownBy(() -> client.get("01JD3Q7R8V3K5M9W2X4Y6Z8A0B-echo"))
        .isInstanceOfSatisfying(NotFoundException.class,
            e -> assertThat(e.code()).isEqualTo("UNKNOWN_RUN"));
    assertThatThrownBy(() -> client.events("01JD3Q7R8V3K5M9W2X4Y6Z8A0B-echo").hasNext())
        .isInstanceOf(NotFoundException.class);
    Run done = client.callAndWait("echo", Map.of(), WAIT);
    assertThatThrownBy(() -> client.cancel(done.runId()))
        .isInstanceOfSatisfying(ConflictException.class,
            e -> assertThat(e.code()).isEqualTo("RUN_FINISHED"));
  }

  @Test
  void runsAreListedByWorkerAndStatusAndWorkersWithTheirStats() {
    // given
    client.callAndWait("fail", Map.of(), WAIT);
    Run ok = client.callAndWait("echo", Map.of("listed", true), WAIT);
    // then
    await().atMost(WAIT).untilAsserted(() -> assertThat(
        client.runs(RunQuery.ALL.worker("echo").status(RunStatus.SUCCEEDED).limit(500)).runs())
        .extracting(Run::runId).contains(ok.runId()));
    assertThat(client.runs(RunQuery.ALL.worker("fail").status(RunStatus.FAILED)).runs())
        .isNotEmpty().allSatisfy(r -> assertThat(r.status()).isEqualTo(RunStatus.FAILED));
    RunPage page = client.runs(RunQuery.ALL.limit(1));
    assertThat(page.runs()).hasSize(1);
    assertThat(page.nextCursor()).isNotNull();
    assertThat(client.runs(RunQuery.ALL.limit(1).cursor(page.nextCursor())).runs().get(0).runId())
        .isNotEqualTo(page.runs().get(0).runId());
    List<WorkerInfo> workers = client.workers();
    assertThat(workers).extracting(WorkerInfo::name)
        .contains("echo", "fail", "progress", "slow", "emitter");
    assertThat(workers).filteredOn(w -> w.name().equals("fail")).singleElement()
        .satisfies(w -> assertThat(w.stat("failed")).isPositive());
  }

  @Test
  void runsAreFilteredByTagAndCreationTime() {
    // given three runs of one test's tag, created one after another: a and b also tagged x,
    // c also tagged y
    String t = "filters-" + System.nanoTime();
    Run a = tagged(t, t + "-x");
    Run b = tagged(t, t + "-x");
    Run c = tagged(t, t + "-y");
    // the creation times the node filters on, as it lists them
    await().atMost(WAIT).until(() -> client.runs(RunQuery.ALL.tag(t)).runs().size() == 3);
    Map<String, Instant> created = client.runs(RunQuery.ALL.tag(t)).runs().stream()
        .collect(Collectors.toMap(Run::runId, Run::createdAt));
    Instant atB = created.get(b.runId());
    assertThat(created.get(a.runId())).isBefore(atB);
    assertThat(atB).isBefore(created.get(c.runId()));

    // then each filter, and filters together, list exactly the runs that pass, newest first
    assertThat(ids(RunQuery.ALL.tag(t + "-x"))).containsExactly(b.runId(), a.runId());
    assertThat(ids(RunQuery.ALL.tag(t + "-y"))).containsExactly(c.runId());
    assertThat(ids(RunQuery.ALL.tag(t).from(atB))).containsExactly(c.runId(), b.runId());
    assertThat(ids(RunQuery.ALL.tag(t).to(atB))).containsExactly(a.runId());
    assertThat(ids(RunQuery.ALL.tag(t).from(created.get(a.runId())).to(created.get(c.runId()))))
        .containsExactly(b.runId(), a.runId());
    assertThat(ids(RunQuery.ALL.tag(t + "-x").worker("echo").status(RunStatus.SUCCEEDED)
        .from(atB))).containsExactly(b.runId());
    assertThat(ids(RunQuery.ALL.tag(t + "-none"))).isEmpty();
    // and the node's refusal of a range that ends before it starts is a typed error
    assertThatThrownBy(() -> client.runs(RunQuery.ALL.from(atB).to(atB)))
        .isInstanceOfSatisfying(InvalidRequestException.class,
            e -> assertThat(e.getMessage()).contains("from must be before to"));
  }

  @Test
  void theChildRunsOfARunAreListedByTheirParent() {
    // given a run whose handler called echo twice, and a run without children
    Run parent = client.callAndWait("parent", Map.of("children", 2), WAIT);
    Run alone = client.callAndWait("echo", Map.of(), WAIT);
    // then
    await().atMost(WAIT).untilAsserted(() -> assertThat(ids(RunQuery.ALL.parent(parent.runId())))
        .hasSize(2));
    assertThat(client.runs(RunQuery.ALL.parent(parent.runId())).runs()).allSatisfy(r -> {
      assertThat(r.worker()).isEqualTo("echo");
      assertThat(r.parentRunId()).isEqualTo(parent.runId());
    });
    // the history lists them by a finished status once it has their ends (it trails the journal)
    await().atMost(WAIT).untilAsserted(() -> assertThat(ids(RunQuery.ALL.parent(parent.runId())
        .worker("echo").status(RunStatus.SUCCEEDED))).hasSize(2));
    assertThat(ids(RunQuery.ALL.parent(alone.runId()))).isEmpty();
  }

  /** A finished echo run with {@code tags}, called once the clock has moved past every earlier run. */
  private Run tagged(String... tags) {
    Instant after = Instant.now();
    await().atMost(WAIT).until(() -> Instant.now().isAfter(after.plusMillis(2)));
    return client.callAndWait("echo", Map.of(), CallOptions.NONE.withTags(List.of(tags)), WAIT);
  }

  private List<String> ids(RunQuery query) {
    return client.runs(query.limit(500)).runs().stream().map(Run::runId).toList();
  }

  private static JsonNode readTree(String s) {
    try {
      return JSON.readTree(s);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }
}
