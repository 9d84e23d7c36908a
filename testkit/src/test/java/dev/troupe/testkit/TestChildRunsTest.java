package dev.troupe.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.troupe.api.BlockingWorker;
import dev.troupe.api.ChildCall;
import dev.troupe.api.ChildRun;
import dev.troupe.api.ErrorCode;
import dev.troupe.api.PermanentFailure;
import dev.troupe.api.RunResult;
import dev.troupe.api.RunStatus;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Child runs in the test kit: registered handlers answer, calls are recorded, keys are kept. */
class TestChildRunsTest {

  /** Doubles each number by a child run; fails when a child failed. */
  private static final BlockingWorker DOUBLER = ctx -> {
    List<RunResult> results = ctx.await(ctx.callAll("double",
        List.of(Map.of("n", 1), Map.of("n", 2), Map.of("n", 3)), 2));
    int sum = 0;
    for (RunResult r : results) {
      if (r.status() != RunStatus.SUCCEEDED) {
        throw new PermanentFailure("a child failed: " + r.error().message());
      }
      sum += r.result().get("n").asInt();
    }
    return ctx.newObject().put("sum", sum);
  };

  @Test
  void childrenAnswerFromTheirHandlersAndTheCallsAreRecorded() {
    // given
    TestWorkerContext ctx = TestWorkerContext.builder("doubler").runId("parent-1")
        .child("double", p -> Map.of("n", p.get("n").asInt() * 2)).build();
    // when
    TestOutcome outcome = ctx.runBlocking(DOUBLER);
    // then
    assertThat(outcome.status()).isEqualTo(RunStatus.SUCCEEDED);
    assertThat(outcome.result().get("sum").asInt()).isEqualTo(12);
    assertThat(ctx.childCalls()).extracting(ChildCall::worker)
        .containsExactly("double", "double", "double");
  }

  @Test
  void aFailingChildIsAResultAndAMissingHandlerFailsTheCall() {
    // given
    TestWorkerContext ctx = TestWorkerContext.builder("doubler")
        .child("double", p -> {
          throw new IllegalStateException("no doubling today");
        }).build();
    // when
    TestOutcome outcome = ctx.runBlocking(DOUBLER);
    TestOutcome missing = TestWorkerContext.builder("caller").build()
        .runBlocking(c -> c.call("nobody", Map.of()).await().result());
    // then
    assertThat(outcome.status()).isEqualTo(RunStatus.FAILED);
    assertThat(outcome.error().message()).contains("no doubling today");
    assertThat(missing.status()).isEqualTo(RunStatus.FAILED);
    assertThat(missing.error().code()).isEqualTo(ErrorCode.PERMANENT_ERROR);
    assertThat(missing.error().message()).contains("child call of nobody");
  }

  @Test
  void theNextAttemptGetsTheSameChildBackWithoutRunningItAgain() {
    // given a first attempt that started a child
    AtomicInteger runs = new AtomicInteger();
    TestWorkerContext first = TestWorkerContext.builder("parent")
        .child("once", p -> Map.of("run", runs.incrementAndGet())).build();
    BlockingWorker parent = ctx -> {
      ChildRun c = ctx.call("once", Map.of());
      return ctx.newObject().put("child", c.runId()).put("existing", c.existing());
    };
    TestOutcome one = first.runBlocking(parent);
    // when
    TestOutcome two = first.nextAttempt().runBlocking(parent);
    // then
    assertThat(two.result().get("child")).isEqualTo(one.result().get("child"));
    assertThat(two.result().get("existing").asBoolean()).isTrue();
    assertThat(runs).hasValue(1);
  }

  @Test
  void aCancelEndsAHandlerThatAwaitsAStage() throws Exception {
    // given a job that waits for a stage that never completes
    CountDownLatch waiting = new CountDownLatch(1);
    TestWorkerContext ctx = TestWorkerContext.builder("fan-in").build();
    CompletableFuture<TestOutcome> run = ctx.startJob(JsonNode.class, (p, c) -> {
      waiting.countDown();
      return c.await(new CompletableFuture<List<RunResult>>());
    });
    assertThat(waiting.await(10, TimeUnit.SECONDS)).isTrue();
    // when
    ctx.cancel();
    TestOutcome outcome = run.get(10, TimeUnit.SECONDS);
    // then the wait ended with the attempt
    assertThat(outcome.status()).isEqualTo(RunStatus.CANCELLED);
  }
}
