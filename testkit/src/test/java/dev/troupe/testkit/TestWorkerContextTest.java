package dev.troupe.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.troupe.api.BlockingWorker;
import dev.troupe.api.Cancelled;
import dev.troupe.api.Compensation;
import dev.troupe.api.ErrorCode;
import dev.troupe.api.JobHandler;
import dev.troupe.api.PermanentFailure;
import dev.troupe.api.RetryPolicy;
import dev.troupe.api.RunFinishedException;
import dev.troupe.api.RunStatus;
import dev.troupe.api.TransientFailure;
import dev.troupe.api.Worker;
import dev.troupe.api.WorkerConfig;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class TestWorkerContextTest {
  record Item(String sku, int qty) {}

  record Order(String id, List<Item> items) {}

  record Total(String id, int units) {}

  record Done(int batches) {}

  /** The job under test: totals an order, reporting progress per item. */
  static final JobHandler<Order> TOTAL = (order, ctx) -> {
    ctx.info("Totalling order {} with {} items", order.id(), order.items().size());
    int units = 0;
    for (int i = 0; i < order.items().size(); i++) {
      units += order.items().get(i).qty();
      ctx.progress(i + 1, order.items().size(), "item " + (i + 1));
    }
    ctx.setState("units", units);
    ctx.emit(Map.of("status", "totalled"));
    return new Total(order.id(), units);
  };

  @Test
  void runsATypedJobAndRecordsWhatItDid() {
    // given
    TestWorkerContext ctx = TestWorkerContext.builder("total-order")
        .payload(new Order("o-1", List.of(new Item("a", 2), new Item("b", 1), new Item("c", 4))))
        .build();
    // when
    TestOutcome outcome = ctx.runJob(Order.class, TOTAL);
    // then
    assertThat(outcome.status()).isEqualTo(RunStatus.SUCCEEDED);
    assertThat(outcome.resultAs(Total.class)).isEqualTo(new Total("o-1", 7));
    assertThat(ctx.progress()).containsExactly(new Progress(33, "item 1"),
        new Progress(66, "item 2"), new Progress(100, "item 3"));
    assertThat(ctx.emits()).last().hasToString("{\"status\":\"totalled\"}");
    assertThat(ctx.logs()).containsExactly(
        new LoggedLine("info", "Totalling order o-1 with 3 items", null));
    assertThat(ctx.state()).containsEntry("units", 7);
  }

  @Test
  void aWholePercentIsAnIntegerAndAFractionStaysOne() {
    // given
    TestWorkerContext ctx = TestWorkerContext.builder("progress").build();
    // when
    ctx.progress(10.0, "ten");
    ctx.progress(12.5, "twelve and a half");
    // then
    assertThat(ctx.emits()).extracting(JsonNode::toString).containsExactly(
        "{\"progress\":10,\"message\":\"ten\"}",
        "{\"progress\":12.5,\"message\":\"twelve and a half\"}");
  }

  @Test
  void aPayloadThatDoesNotBindFailsPermanentlyNamingTheFieldPath() {
    // given an order whose second item's quantity is not a number
    TestWorkerContext ctx = TestWorkerContext.builder("total-order")
        .payloadJson("{\"id\":\"o-2\",\"items\":[{\"sku\":\"a\",\"qty\":1},{\"sku\":\"b\","
            + "\"qty\":\"lots\"}],\"unknown\":true}")
        .build();
    // when
    TestOutcome outcome = ctx.runJob(Order.class, TOTAL);
    // then
    assertThat(outcome.status()).isEqualTo(RunStatus.FAILED);
    assertThat(outcome.error().code()).isEqualTo(ErrorCode.PERMANENT_ERROR);
    assertThat(outcome.error().message())
        .isEqualTo("payload.items[1].qty: expected a number, got \"lots\"");
  }

  @Test
  void aCodedFailureKeepsItsLabel() {
    // given
    TestWorkerContext ctx = TestWorkerContext.builder("send-email").build();
    // when
    TestOutcome outcome = ctx.runJob(JsonNode.class, (payload, c) -> {
      throw PermanentFailure.coded("invalid-email", "no @ in the address");
    });
    // then
    assertThat(outcome.status()).isEqualTo(RunStatus.FAILED);
    assertThat(outcome.error().code()).isEqualTo(ErrorCode.PERMANENT_ERROR);
    assertThat(outcome.error().message()).isEqualTo("no @ in the address");
    assertThat(outcome.error().label()).isEqualTo("invalid-email");
  }

  @Test
  void aRetryResumesFromTheCheckpointOfTheAttemptBefore() {
    // given a job that checkpoints each batch and loses its connection after the second
    JobHandler<JsonNode> batches = (payload, c) -> {
      int from = c.lastCheckpoint(Done.class).map(Done::batches).orElse(0);
      for (int b = from + 1; b <= 4; b++) {
        if (c.attempt() == 1 && b == 3) {
          throw TransientFailure.coded("connection-lost", "lost the connection");
        }
        c.checkpoint(new Done(b));
      }
      return Map.of("resumedFrom", from);
    };
    TestWorkerContext first = TestWorkerContext.builder("batches")
        .config(WorkerConfig.DEFAULT.withRetry(
            RetryPolicy.of(3, Duration.ofMillis(10), Duration.ofMillis(10))))
        .build();
    // when
    TestOutcome failed = first.runJob(JsonNode.class, batches);
    TestWorkerContext second = first.nextAttempt();
    TestOutcome resumed = second.runJob(JsonNode.class, batches);
    // then
    assertThat(failed.status()).isEqualTo(RunStatus.RETRYING);
    assertThat(failed.error().label()).isEqualTo("connection-lost");
    assertThat(first.checkpoints()).extracting(JsonNode::toString)
        .containsExactly("{\"batches\":1}", "{\"batches\":2}");
    assertThat(second.attempt()).isEqualTo(2);
    assertThat(resumed.status()).isEqualTo(RunStatus.SUCCEEDED);
    assertThat(resumed.result().get("resumedFrom").asInt()).isEqualTo(2);
  }

  @Test
  void aTransientFailureOnTheLastAttemptFailsTheRun() {
    // given the default policy's last attempt
    int last = WorkerConfig.DEFAULT.retry().maxAttempts();
    TestWorkerContext ctx = TestWorkerContext.builder("flaky").attempt(last).build();
    // when
    TestOutcome outcome = ctx.runJob(JsonNode.class, (p, c) -> {
      throw new IllegalStateException("still down");
    });
    // then
    assertThat(outcome.status()).isEqualTo(RunStatus.FAILED);
    assertThat(outcome.error().code()).isEqualTo(ErrorCode.TRANSIENT_ERROR);
    assertThat(outcome.error().message())
        .isEqualTo("failed after " + last + " attempts: IllegalStateException: still down");
  }

  @Test
  void aCancelEndsASleepingJobAsCancelledAndDropsWhatComesAfter() throws Exception {
    // given a job that sleeps for a minute, then emits
    CountDownLatch sleeping = new CountDownLatch(1);
    TestWorkerContext ctx = TestWorkerContext.builder("slow").build();
    CompletableFuture<TestOutcome> run = ctx.startJob(JsonNode.class, (p, c) -> {
      sleeping.countDown();
      c.sleep(Duration.ofMinutes(1));
      c.emit(Map.of("late", true));
      return null;
    });
    assertThat(sleeping.await(10, TimeUnit.SECONDS)).isTrue();
    // when
    ctx.cancel();
    TestOutcome outcome = run.get(10, TimeUnit.SECONDS);
    // then
    assertThat(outcome.status()).isEqualTo(RunStatus.CANCELLED);
    assertThat(outcome.error().code()).isEqualTo(ErrorCode.CANCELLED);
    assertThat(ctx.emits()).isEmpty();
    assertThatThrownBy(() -> ctx.sleep(Duration.ofSeconds(1))).isInstanceOf(Cancelled.class);
    assertThatThrownBy(() -> ctx.checkpoint(Map.of("late", true)))
        .isInstanceOf(RunFinishedException.class);
  }

  @Test
  void anAttemptPastItsTimeoutEndsTimedOut() {
    // given
    TestWorkerContext ctx = TestWorkerContext.builder("slow").timeout(Duration.ofMillis(200))
        .build();
    // when
    TestOutcome outcome = ctx.runJob(JsonNode.class, (p, c) -> {
      c.sleep(Duration.ofMinutes(1));
      return null;
    });
    // then
    assertThat(outcome.status()).isEqualTo(RunStatus.TIMED_OUT);
    assertThat(outcome.error().code()).isEqualTo(ErrorCode.TIMEOUT);
    assertThat(ctx.cancelReason()).contains("timeout");
  }

  @Test
  void nullIsASuccessWithoutResult() {
    // given
    TestWorkerContext ctx = TestWorkerContext.builder("quiet").build();
    // when
    TestOutcome outcome = ctx.runJob(JsonNode.class, (p, c) -> null);
    // then
    assertThat(outcome.status()).isEqualTo(RunStatus.SUCCEEDED);
    assertThat(outcome.result()).isNull();
  }

  @Test
  void logsFillPlaceholdersKeepTheThrowableAndDropDebugInProduction() {
    // given
    TestWorkerContext ctx = TestWorkerContext.builder("logger").environment("production").build();
    IllegalStateException boom = new IllegalStateException("boom");
    // when
    ctx.debug("not in production {}", 1);
    ctx.warn("attempt {} failed", 2, boom);
    // then
    assertThat(ctx.logs()).containsExactly(new LoggedLine("warn", "attempt 2 failed", boom));
  }

  @Test
  void runsClassicBlockingAndAsynchronousWorkers() {
    // given
    BlockingWorker blocking = c -> c.newObject().put("echo", c.payload().path("say").asText());
    Worker async = c -> CompletableFuture.completedFuture(c.newObject().put("async", true));
    TestWorkerContext ctx = TestWorkerContext.builder("echo").payload(Map.of("say", "hi")).build();
    // when
    TestOutcome fromBlocking = ctx.runBlocking(blocking);
    TestOutcome fromAsync = ctx.runWorker(async);
    // then
    assertThat(fromBlocking.result()).hasToString("{\"echo\":\"hi\"}");
    assertThat(fromAsync.result()).hasToString("{\"async\":true}");
  }

  @Test
  void aStepRunsOnceAcrossAttemptsAndItsCompensationsRunLastFirst() {
    // given a job that reserves, then charges, failing transiently on its first attempt
    List<String> undone = new CopyOnWriteArrayList<>();
    JobHandler<Map> saga = (p, c) -> {
      String r = c.step("reserve", String.class, () -> "res-1",
          Compensation.of("release", undone::add));
      Integer charged = c.step("charge", Integer.class, () -> 42,
          Compensation.of("refund", v -> undone.add("refund " + v)));
      if (c.attempt() == 1) {
        throw new TransientFailure("try again");
      }
      return Map.of("reservation", r, "charged", charged);
    };
    TestWorkerContext first = TestWorkerContext.builder("saga").build();
    // when
    TestOutcome failed = first.runJob(Map.class, saga);
    TestWorkerContext second = first.nextAttempt();
    TestOutcome succeeded = second.runJob(Map.class, saga);
    // then each step ran once; the second attempt got the recorded results
    assertThat(failed.status()).isEqualTo(RunStatus.RETRYING);
    assertThat(succeeded.result().get("reservation").asText()).isEqualTo("res-1");
    assertThat(succeeded.result().get("charged").asInt()).isEqualTo(42);
    assertThat(second.stepsRun()).containsExactly("reserve", "charge");
    assertThat(second.steps()).containsOnlyKeys("reserve", "charge");
    // and the compensations it registered run last step first
    assertThat(second.compensate()).containsExactly("refund", "release");
    assertThat(undone).containsExactly("refund 42", "res-1");
    // and a step name asked for with another type fails permanently
    assertThatThrownBy(() -> second.step("charge", String.class, () -> "x"))
        .isInstanceOf(PermanentFailure.class).hasMessageContaining("step 'charge'");
  }
}
