package dev.troupe.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.troupe.api.BatchWorker;
import dev.troupe.api.Batches;
import dev.troupe.api.ErrorCode;
import dev.troupe.api.RunStatus;
import dev.troupe.api.WorkerContext;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** Troupe's batch loop ({@link Batches}) run in the test kit, as a node runs it. */
class BatchLoopTest {
  record Job(int batches, int failAt) {}

  record Next(int index) {}

  /** Processes batches 0..n-1; fails at {@code failAt} on the first attempt (an IO error). */
  static final class Numbers implements BatchWorker<Job, Integer, Next, Map<String, Integer>> {
    final List<Integer> processed = new ArrayList<>();

    @Override
    public List<Integer> batches(Job job, Next last) {
      return IntStream.range(last == null ? 0 : last.index(), job.batches()).boxed().toList();
    }

    @Override
    public Next process(Integer batch, WorkerContext ctx) throws Exception {
      if (batch == ctx.payloadAs(Job.class).failAt() && ctx.attempt() == 1) {
        throw new IOException("disk hiccup");
      }
      processed.add(batch);
      return new Next(batch + 1);
    }

    @Override
    public Map<String, Integer> finish(BatchSummary<Job, Next> s, WorkerContext ctx) {
      return Map.of("batches", s.batches(), "resumedFrom", s.resumedFrom());
    }

    @Override
    public BatchFailure classify(Throwable error) {
      return error instanceof IOException ? BatchFailure.transientFailure("io")
          : BatchFailure.permanent("bug");
    }
  }

  @Test
  void aRetriedAttemptResumesAfterTheLastCheckpointWithProgressPerBatch() {
    // given a run of 5 batches whose first attempt fails at batch 3
    Numbers worker = new Numbers();
    TestWorkerContext first = TestWorkerContext.builder("numbers").payload(new Job(5, 3)).build();

    // when
    TestOutcome failed = first.runBlocking(Batches.blocking(Job.class, worker));
    TestWorkerContext second = first.nextAttempt();
    TestOutcome done = second.runBlocking(Batches.blocking(Job.class, worker));

    // then the failure is transient with the worker's label, and the retry goes on at batch 3
    assertThat(failed.status()).isEqualTo(RunStatus.RETRYING);
    assertThat(failed.error().code()).isEqualTo(ErrorCode.TRANSIENT_ERROR);
    assertThat(failed.error().label()).isEqualTo("io");
    assertThat(first.checkpoints()).hasSize(3);
    assertThat(worker.processed).containsExactly(0, 1, 2, 3, 4);
    assertThat(done.result().get("batches").asInt()).isEqualTo(5);
    assertThat(done.result().get("resumedFrom").asInt()).isEqualTo(3);
    assertThat(second.emits()).extracting(e -> e.get("batch").asInt()).containsExactly(4, 5);
    assertThat(second.emits().get(1).get("progress").asInt()).isEqualTo(100);
    assertThat(second.emits().get(1).get("of").asInt()).isEqualTo(5);
  }
}
