package dev.troupe.examples.checkpoints;

import static org.assertj.core.api.Assertions.assertThat;

import dev.troupe.api.ErrorCode;
import dev.troupe.api.RunStatus;
import dev.troupe.examples.checkpoints.ProcessRanges.Checkpoint;
import dev.troupe.examples.testing.InstalledJobs;
import dev.troupe.testkit.TestOutcome;
import dev.troupe.testkit.TestWorkerContext;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ProcessRangesTest {
  private static final long SQUARES_0_TO_24 = 4900; // 0² + 1² + ... + 24²

  private final InstalledJobs jobs = InstalledJobs.of(new ProcessRanges());

  @Test
  void processesEveryBatchCheckpointingAfterEach() {
    // given
    TestWorkerContext ctx = jobs.context("process-ranges")
        .payload(Map.of("total", 25, "batchSize", 10)).build();
    // when
    TestOutcome outcome = jobs.run("process-ranges", ctx);
    // then
    assertThat(outcome.status()).isEqualTo(RunStatus.SUCCEEDED);
    assertThat(outcome.result().toString()).contains("\"totalItems\":25")
        .contains("\"sum\":" + SQUARES_0_TO_24);
    assertThat(ctx.emits()).extracting(m -> m.path("batch").asText())
        .containsExactly("batch_0", "batch_10", "batch_20");
    assertThat(ctx.checkpoints()).extracting(c -> c.path("nextStart").asLong())
        .containsExactly(10L, 20L, 25L);
  }

  @Test
  void aTransientFailureIsRetriedFromTheLastCheckpoint() {
    // given item 15 fails on the first attempt
    TestWorkerContext first = jobs.context("process-ranges")
        .payload(Map.of("total", 25, "batchSize", 10, "failOn", 15)).build();
    // when
    TestOutcome failed = jobs.run("process-ranges", first);
    TestWorkerContext retry = first.nextAttempt();
    TestOutcome resumed = jobs.run("process-ranges", retry);
    // then
    assertThat(failed.status()).isEqualTo(RunStatus.RETRYING);
    assertThat(failed.error().message())
        .isEqualTo("ConnectException: lost the connection at item 15");
    assertThat(first.emits()).extracting(m -> m.path("batch").asText())
        .containsExactly("batch_0");
    assertThat(resumed.status()).isEqualTo(RunStatus.SUCCEEDED);
    assertThat(retry.emits()).extracting(m -> m.path("batch").asText())
        .containsExactly("batch_10", "batch_20");
    assertThat(resumed.result().toString()).contains("\"totalItems\":25")
        .contains("\"sum\":" + SQUARES_0_TO_24);
  }

  @Test
  void resumesAfterACheckpointLeftByAnEarlierAttempt() {
    // given batches 0 and 10 were done (0² + ... + 19² = 2470)
    TestWorkerContext ctx = jobs.context("process-ranges").attempt(2)
        .checkpoint(new Checkpoint(20, 20, 2470))
        .payload(Map.of("total", 25, "batchSize", 10)).build();
    // when
    TestOutcome outcome = jobs.run("process-ranges", ctx);
    // then
    assertThat(ctx.emits()).extracting(m -> m.path("batch").asText())
        .containsExactly("batch_20");
    assertThat(outcome.result().toString()).contains("\"sum\":" + SQUARES_0_TO_24);
  }

  @Test
  void aBadBatchSizeIsClassifiedPermanent() {
    // when
    TestOutcome outcome = jobs.run("process-ranges",
        jobs.context("process-ranges").payload(Map.of("batchSize", 0)).build());
    // then
    assertThat(outcome.status()).isEqualTo(RunStatus.FAILED);
    assertThat(outcome.error().code()).isEqualTo(ErrorCode.PERMANENT_ERROR);
    assertThat(outcome.error().message())
        .isEqualTo("IllegalArgumentException: batchSize must be positive, was 0");
  }
}
