package dev.troupe.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.troupe.api.BatchWorker;
import dev.troupe.api.Batches;
import dev.troupe.api.BlockingWorker;
import dev.troupe.api.ChildCall;
import dev.troupe.api.ErrorCode;
import dev.troupe.api.RunStatus;
import dev.troupe.api.TransientFailure;
import dev.troupe.api.WorkerConfig;
import dev.troupe.api.WorkerContext;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** A batch worker whose batches are child runs ({@code parallelism} above 0), in the test kit. */
class BatchPartsTest {
  /** The payload: how many batches, how many at once. */
  record Job(int batches, int parallel) {}

  record Next(int index) {}

  /**
   * Processes batches 0..n-1 as child runs; batch {@code failAt} throws an IllegalStateException
   * (classified permanent, "bad-batch"); the first attempt's finish fails transiently when asked.
   */
  static final class Numbers implements BatchWorker<Job, Integer, Next, Map<String, Object>> {
    final List<Integer> processed = new CopyOnWriteArrayList<>();
    volatile int failAt = -1;
    volatile boolean failFirstFinish;
    volatile Runnable onBatchOne = () -> {};

    @Override
    public int parallelism(Job job) {
      return job.parallel();
    }

    @Override
    public List<Integer> batches(Job job, Next last) {
      return IntStream.range(0, job.batches()).boxed().toList();
    }

    @Override
    public Next process(Integer batch, WorkerContext ctx) throws Exception {
      if (batch == 1) {
        onBatchOne.run();
      }
      if (batch == failAt) {
        throw new IllegalStateException("batch " + batch + " is bad");
      }
      processed.add(batch);
      return new Next(batch + 1);
    }

    @Override
    public Map<String, Object> finish(BatchSummary<Job, Next> s, WorkerContext ctx) {
      if (failFirstFinish && ctx.attempt() == 1) {
        throw new TransientFailure("the parent's node died, say");
      }
      return Map.of("batches", s.batches(), "resumedFrom", s.resumedFrom(),
          "last", s.lastCheckpoint().index(),
          "checkpoints", s.checkpoints().stream().map(Next::index).toList());
    }

    @Override
    public BatchFailure classify(Throwable error) {
      return error instanceof IllegalStateException ? BatchFailure.permanent("bad-batch")
          : BatchFailure.transientFailure(error instanceof IOException ? "io" : null);
    }
  }

  private static TestWorkerContext context(Numbers worker, Job job) {
    return TestWorkerContext.builder("numbers").runId("parent-1").payload(job)
        .childWorker(Batches.partName("numbers"), WorkerConfig.DEFAULT, Batches.part(worker))
        .build();
  }

  @Test
  void eachBatchIsANamedChildRunWhoseCheckpointReachesFinish() {
    // given
    Numbers worker = new Numbers();
    TestWorkerContext ctx = context(worker, new Job(4, 2));

    // when
    TestOutcome outcome = ctx.runBlocking(Batches.blocking(Job.class, worker));

    // then every batch was a child run of numbers-part, its payload the batch
    assertThat(outcome.status()).isEqualTo(RunStatus.SUCCEEDED);
    assertThat(ctx.childCalls()).extracting(ChildCall::worker).containsOnly("numbers-part")
        .hasSize(4);
    assertThat(ctx.childCalls()).extracting(c -> ((JsonNode) c.payload()).asInt())
        .containsExactly(0, 1, 2, 3);
    assertThat(worker.processed).containsExactlyInAnyOrder(0, 1, 2, 3);
    assertThat(outcome.result().get("checkpoints")).extracting(JsonNode::asInt)
        .containsExactly(1, 2, 3, 4);
    assertThat(outcome.result().get("last").asInt()).isEqualTo(4);
    assertThat(outcome.result().get("resumedFrom").asInt()).isZero();
    assertThat(ctx.emits()).extracting(e -> e.get("batch").asInt()).containsExactly(1, 2, 3, 4);
    assertThat(ctx.emits()).extracting(e -> e.get("progress").asInt())
        .containsExactly(25, 50, 75, 100);
    assertThat(ctx.checkpoints()).as("the children are the parent's record").isEmpty();
  }

  @Test
  void aRetriedParentFindsItsSucceededChildrenAndCountsThemAsResumedFrom() {
    // given a first attempt whose batches all succeeded before it failed
    Numbers worker = new Numbers();
    worker.failFirstFinish = true;
    TestWorkerContext first = context(worker, new Job(3, 2));
    TestOutcome failed = first.runBlocking(Batches.blocking(Job.class, worker));

    // when
    TestWorkerContext second = first.nextAttempt();
    TestOutcome done = second.runBlocking(Batches.blocking(Job.class, worker));

    // then the same children came back, none processed again, no progress emitted twice
    assertThat(failed.status()).isEqualTo(RunStatus.RETRYING);
    assertThat(done.status()).isEqualTo(RunStatus.SUCCEEDED);
    assertThat(worker.processed).hasSize(3);
    assertThat(done.result().get("resumedFrom").asInt()).isEqualTo(3);
    assertThat(done.result().get("checkpoints")).extracting(JsonNode::asInt)
        .containsExactly(1, 2, 3);
    assertThat(second.childCalls()).hasSize(3);
    assertThat(second.emits()).isEmpty();
  }

  @Test
  void aBatchThatFailsForGoodFailsTheParentWithItsClassificationNamingTheBatch() {
    // given batch 2 (the third) throws what the worker classifies as permanent, "bad-batch"
    Numbers worker = new Numbers();
    worker.failAt = 2;
    TestWorkerContext ctx = context(worker, new Job(4, 1));

    // when
    TestOutcome outcome = ctx.runBlocking(Batches.blocking(Job.class, worker));

    // then
    assertThat(outcome.status()).isEqualTo(RunStatus.FAILED);
    assertThat(outcome.error().code()).isEqualTo(ErrorCode.PERMANENT_ERROR);
    assertThat(outcome.error().label()).isEqualTo("bad-batch");
    assertThat(outcome.error().message()).startsWith("batch 3 of 4 failed: its child run ")
        .contains("of numbers-part ended FAILED")
        .contains("IllegalStateException: batch 2 is bad");
    assertThat(ctx.childCalls()).hasSize(3);
  }

  @Test
  void aCancelStopsStartingChildren() throws InterruptedException {
    // given 5 batches, 3 at once, whose second batch cancels the parent while it runs
    Numbers worker = new Numbers();
    AtomicReference<TestWorkerContext> parent = new AtomicReference<>();
    worker.onBatchOne = () -> parent.get().cancel();
    parent.set(context(worker, new Job(5, 3)));
    CountDownLatch handlerEnded = new CountDownLatch(1);
    BlockingWorker loop = Batches.blocking(Job.class, worker);

    // when
    TestOutcome outcome = parent.get().runBlocking(c -> {
      try {
        return loop.run(c);
      } finally {
        handlerEnded.countDown();
      }
    });

    // then once the loop is over (the outcome is decided at the cancel), no child was started
    // after the cancel
    assertThat(outcome.status()).isEqualTo(RunStatus.CANCELLED);
    assertThat(handlerEnded.await(10, TimeUnit.SECONDS)).isTrue();
    assertThat(parent.get().childCalls()).hasSize(2);
  }

  @Test
  void aNegativeParallelismFailsTheRunForGood() {
    // given
    Numbers worker = new Numbers();
    TestWorkerContext ctx = context(worker, new Job(2, -1));

    // when
    TestOutcome outcome = ctx.runBlocking(Batches.blocking(Job.class, worker));

    // then
    assertThat(outcome.status()).isEqualTo(RunStatus.FAILED);
    assertThat(outcome.error().message()).contains("parallelism").contains("was -1");
    assertThat(ctx.childCalls()).isEmpty();
  }
}
