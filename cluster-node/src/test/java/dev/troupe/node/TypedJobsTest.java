package dev.troupe.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.troupe.api.Cancelled;
import dev.troupe.api.ErrorCode;
import dev.troupe.api.PermanentFailure;
import dev.troupe.api.RetryPolicy;
import dev.troupe.api.RunEvent;
import dev.troupe.api.RunHandle;
import dev.troupe.api.RunQuery;
import dev.troupe.api.RunResult;
import dev.troupe.api.RunStatus;
import dev.troupe.api.TransientFailure;
import dev.troupe.api.WorkerConfig;
import dev.troupe.api.WorkerModule;
import dev.troupe.node.run.BlockingHandlers;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.pekko.actor.testkit.typed.javadsl.LogCapturingExtension;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.stream.javadsl.Sink;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/** Typed jobs and the worker context's typed methods, end to end on one real node (H2). */
@ExtendWith(LogCapturingExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TypedJobsTest {
  private static final JsonNodeFactory JSON = JsonNodeFactory.instance;
  private static final AtomicInteger names = new AtomicInteger();
  private static final WorkerConfig THREE_QUICK_ATTEMPTS = WorkerConfig.DEFAULT.withRetry(
      RetryPolicy.of(3, Duration.ofMillis(20), Duration.ofMillis(20)));

  record Email(String to, String subject) {}

  record Sent(String status, String to) {}

  record Item(String sku, int qty) {}

  record Order(String id, List<Item> items) {}

  record Batches(int done) {}

  private ActorSystem<Void> system;
  private TroupeNode troupe;

  @BeforeAll
  void startNode() {
    system = TestNodes.system(TestNodes.config(TestNodes.newH2Url(), ""));
    troupe = TroupeNode.start(system);
  }

  @AfterAll
  void stopNode() {
    Await.result(troupe.shutdown());
  }

  private static String uniqueName(String base) {
    return base + "-" + names.incrementAndGet();
  }

  private static ObjectNode obj() {
    return JSON.objectNode();
  }

  private RunResult run(String worker, JsonNode payload) {
    return Await.result(troupe.run(worker, payload));
  }

  private List<RunEvent> events(RunHandle h) {
    return Await.result(h.messages(0).runWith(Sink.seq(), system));
  }

  @Test
  void aTypedJobBindsItsPayloadAndReturnsAnObjectAsItsResult() {
    // given a job registered in one line, and a payload with a field its record does not have
    String name = uniqueName("send-email");
    troupe.job(name, Email.class, (email, ctx) -> {
      ctx.info("Sending email to {}", email.to());
      ctx.progress(1, 3, "one third");
      ctx.emit(new Sent("sent", email.to()));
      return new Sent("sent", email.to());
    });
    // when
    RunHandle h = Await.result(troupe.call(name, obj().put("to", "a@b.c").put("subject", "hi")
        .put("priority", "high")));
    RunResult r = Await.result(h.result());
    // then
    assertThat(r.status()).isEqualTo(RunStatus.SUCCEEDED);
    assertThat(r.result()).isEqualTo(obj().put("status", "sent").put("to", "a@b.c"));
    List<RunEvent> events = events(h);
    assertThat(events).filteredOn(e -> e.type().equals(RunEvent.LOG))
        .extracting(e -> e.data().get("message").asText())
        .containsExactly("Sending email to a@b.c");
    assertThat(events).filteredOn(e -> e.type().equals(RunEvent.MESSAGE))
        .extracting(e -> e.data().toString()).containsExactly(
            "{\"progress\":33,\"message\":\"one third\"}",
            "{\"status\":\"sent\",\"to\":\"a@b.c\"}");
  }

  @Test
  void anAsyncTypedJobAndAModuleOfSeveralJobsRunToo() {
    // given a module that registers two jobs, one of them asynchronous
    String sync = uniqueName("double");
    String async = uniqueName("triple");
    WorkerModule module = registrar -> {
      registrar.job(sync, Item.class, (item, ctx) -> new Item(item.sku(), item.qty() * 2));
      registrar.asyncJob(async, Item.class, (item, ctx) ->
          CompletableFuture.completedFuture(new Item(item.sku(), item.qty() * 3)));
    };
    module.install(troupe);
    // when
    RunResult doubled = run(sync, obj().put("sku", "a").put("qty", 2));
    RunResult tripled = run(async, obj().put("sku", "a").put("qty", 2));
    // then
    assertThat(doubled.result()).isEqualTo(obj().put("sku", "a").put("qty", 4));
    assertThat(tripled.result()).isEqualTo(obj().put("sku", "a").put("qty", 6));
  }

  @Test
  void aPayloadThatDoesNotBindFailsPermanentlyNamingTheFieldPath() {
    // given a job with retries, and an order whose third item's quantity is not a number
    String name = uniqueName("total");
    AtomicInteger handlerCalls = new AtomicInteger();
    troupe.job(name, Order.class, THREE_QUICK_ATTEMPTS,
        (order, ctx) -> handlerCalls.incrementAndGet());
    ObjectNode payload = obj().put("id", "o-1");
    payload.putArray("items").add(obj().put("sku", "a").put("qty", 1))
        .add(obj().put("sku", "b").put("qty", 1)).add(obj().put("sku", "c").put("qty", "two"));
    // when
    RunResult r = run(name, payload);
    // then
    assertThat(r.status()).isEqualTo(RunStatus.FAILED);
    assertThat(r.attempts()).isEqualTo(1);
    assertThat(r.error().code()).isEqualTo(ErrorCode.PERMANENT_ERROR);
    assertThat(r.error().message()).contains("items[2].qty")
        .isEqualTo("payload.items[2].qty: expected a number, got \"two\"");
    assertThat(handlerCalls).hasValue(0);
  }

  @Test
  void aCodedPermanentFailuresLabelReachesTheRunErrorAndTheHistory() {
    // given
    String name = uniqueName("coded");
    troupe.job(name, Email.class, THREE_QUICK_ATTEMPTS, (email, ctx) -> {
      throw PermanentFailure.coded("invalid-email", "no @ in " + email.to());
    });
    // when
    RunResult r = run(name, obj().put("to", "nobody"));
    // then
    assertThat(r.status()).isEqualTo(RunStatus.FAILED);
    assertThat(r.attempts()).isEqualTo(1);
    assertThat(r.error().code()).isEqualTo(ErrorCode.PERMANENT_ERROR);
    assertThat(r.error().message()).isEqualTo("no @ in nobody");
    assertThat(r.error().label()).isEqualTo("invalid-email");
    await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
        assertThat(Await.result(troupe.runs(new RunQuery(name, null, 10, null))).runs())
            .singleElement()
            .satisfies(h -> assertThat(h.error().label()).isEqualTo("invalid-email")));
  }

  @Test
  void sleepEndsTheHandlerOnCancelAndTheRunIsCancelled() throws InterruptedException {
    // given a job that sleeps for a minute
    String name = uniqueName("sleeper");
    CountDownLatch sleeping = new CountDownLatch(1);
    AtomicReference<Throwable> endedWith = new AtomicReference<>();
    troupe.job(name, JsonNode.class, (payload, ctx) -> {
      sleeping.countDown();
      try {
        ctx.sleep(Duration.ofMinutes(1));
        return "slept";
      } catch (Cancelled c) {
        endedWith.set(c);
        throw c;
      }
    });
    RunHandle h = Await.result(troupe.call(name, obj()));
    assertThat(sleeping.await(20, TimeUnit.SECONDS)).isTrue();
    // when
    Await.result(h.cancel());
    RunResult r = Await.result(h.result());
    // then
    assertThat(r.status()).isEqualTo(RunStatus.CANCELLED);
    assertThat(r.error().code()).isEqualTo(ErrorCode.CANCELLED);
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
        assertThat(endedWith.get()).isInstanceOf(Cancelled.class));
  }

  @Test
  void aCheckpointWrittenBeforeAFailureIsReadBackTypedOnTheRetry() {
    // given a job that checkpoints two batches, then loses its connection on its first attempt
    String name = uniqueName("batches");
    troupe.job(name, JsonNode.class, THREE_QUICK_ATTEMPTS, (payload, ctx) -> {
      int from = ctx.lastCheckpoint(Batches.class).map(Batches::done).orElse(0);
      for (int b = from + 1; b <= 4; b++) {
        if (ctx.attempt() == 1 && b == 3) {
          throw TransientFailure.coded("connection-lost", "lost the connection");
        }
        ctx.checkpoint(new Batches(b)); // returns once durable
      }
      return Map.of("resumedFrom", from);
    });
    // when
    RunResult r = run(name, obj());
    // then
    assertThat(r.status()).isEqualTo(RunStatus.SUCCEEDED);
    assertThat(r.attempts()).isEqualTo(2);
    assertThat(r.result()).isEqualTo(obj().put("resumedFrom", 2));
  }

  @Test
  void blockingHandlersRunOnVirtualThreadsWhenTheJvmHasThem() {
    // given
    String name = uniqueName("which-thread");
    troupe.job(name, JsonNode.class, (payload, ctx) -> Thread.currentThread().getName());
    boolean virtual = Runtime.version().feature() >= 21;
    // when
    RunResult r = run(name, obj());
    // then
    assertThat(BlockingHandlers.virtualThreadFactory().isPresent()).isEqualTo(virtual);
    assertThat(r.result().asText())
        .startsWith(virtual ? "troupe-handler-" : "troupe-troupe.blocking-dispatcher");
  }
}
