package dev.troupe.examples.workers;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.troupe.api.ErrorCode;
import dev.troupe.api.RunStatus;
import dev.troupe.examples.testing.InstalledJobs;
import dev.troupe.testkit.LoggedLine;
import dev.troupe.testkit.Progress;
import dev.troupe.testkit.TestOutcome;
import dev.troupe.testkit.TestWorkerContext;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The demo workers' logic on the test kit, installed as the demo node installs them; their HTTP
 * contracts are checked end to end by {@code DemoWorkersTest}.
 */
class DemoWorkersKitTest {
  private final InstalledJobs jobs = InstalledJobs.of(new DemoWorkers());

  private TestWorkerContext context(String worker, String payload) {
    return jobs.context(worker).payloadJson(payload).build();
  }

  private JsonNode json(TestWorkerContext ctx, String text) throws Exception {
    return ctx.json().readTree(text);
  }

  @Test
  void theDemoNodeGetsTheDemoWorkersAndTheCompositionExamples() {
    // then
    assertThat(jobs.names()).containsExactlyInAnyOrder("echo", "send-email",
        "progress-reporter", "slow-worker", "flaky", "batch-processor", "stateful",
        "checkpointed-batch", "fan-out", "always-fails", "image-pipeline", "resize-image",
        "apply-filters", "order-saga", "range-batch", "range-batch-part");
  }

  @Test
  void echoReturnsItsPayload() throws Exception {
    // given
    TestWorkerContext ctx = context("echo", "{\"a\":[1,{\"b\":null}]}");
    // when
    TestOutcome outcome = jobs.run("echo", ctx);
    // then
    assertThat(outcome.result()).isEqualTo(json(ctx, "{\"a\":[1,{\"b\":null}]}"));
    assertThat(ctx.emits()).isEmpty();
  }

  @Test
  void sendEmailLogsEmitsAndReturnsTheRecipient() throws Exception {
    // given
    TestWorkerContext ctx = context("send-email",
        "{\"to\":\"ada@example.com\",\"subject\":\"Hi\",\"delayMs\":1}");
    // when
    TestOutcome outcome = jobs.run("send-email", ctx);
    // then
    assertThat(outcome.result())
        .isEqualTo(json(ctx, "{\"status\":\"sent\",\"to\":\"ada@example.com\"}"));
    assertThat(ctx.logs()).extracting(LoggedLine::message)
        .containsExactly("Sending email to ada@example.com (subject: 'Hi')");
    assertThat(ctx.emits()).singleElement()
        .satisfies(m -> assertThat(m.path("timestamp").asText()).isNotBlank());
  }

  @Test
  void sendEmailRejectsABadRecipientPermanently() {
    // when
    TestOutcome missing = jobs.run("send-email", context("send-email", "{}"));
    TestOutcome notAnAddress = jobs.run("send-email", context("send-email", "{\"to\":42}"));
    // then
    assertThat(missing.error().code()).isEqualTo(ErrorCode.PERMANENT_ERROR);
    assertThat(missing.error().message()).isEqualTo("field 'to' is required");
    assertThat(notAnAddress.error().message())
        .isEqualTo("field 'to' must be an email address, was 42");
  }

  @Test
  void sendEmailCancelledWhileSendingSendsNothing() throws Exception {
    // given
    TestWorkerContext ctx = context("send-email", "{\"to\":\"a@b.c\",\"delayMs\":60000}");
    var running = jobs.start("send-email", ctx);
    // when
    ctx.cancel();
    TestOutcome outcome = running.get(10, TimeUnit.SECONDS);
    // then
    assertThat(outcome.status()).isEqualTo(RunStatus.CANCELLED);
    assertThat(ctx.emits()).isEmpty();
  }

  @Test
  void progressReporterReportsEachStepThenComplete() throws Exception {
    // given
    TestWorkerContext ctx = context("progress-reporter", "{\"steps\":4,\"intervalMs\":1}");
    // when
    TestOutcome outcome = jobs.run("progress-reporter", ctx);
    // then
    assertThat(outcome.result()).isEqualTo(json(ctx, "{\"steps\":4}"));
    assertThat(ctx.progress()).containsExactly(new Progress(25, "Processing item 1/4"),
        new Progress(50, "Processing item 2/4"), new Progress(75, "Processing item 3/4"),
        new Progress(100, "Processing item 4/4"));
    assertThat(ctx.emits().get(4)).isEqualTo(json(ctx, "{\"status\":\"complete\"}"));
  }

  @Test
  void flakyFailsTransientlyUntilItsAttemptComes() {
    // given
    TestWorkerContext first = context("flaky", "{\"failTimes\":1}");
    // when
    TestOutcome failed = jobs.run("flaky", first);
    TestOutcome succeeded = jobs.run("flaky", first.nextAttempt());
    // then
    assertThat(failed.status()).isEqualTo(RunStatus.RETRYING);
    assertThat(failed.error().message()).isEqualTo("flaky: failing attempt 1 of 1");
    assertThat(succeeded.result().path("attempts").asInt()).isEqualTo(2);
  }

  @Test
  void batchProcessorEmitsOneMessagePerItem() throws Exception {
    // given
    TestWorkerContext ctx = context("batch-processor", "{\"items\":[{\"id\":1},{\"id\":2}]}");
    // when
    TestOutcome outcome = jobs.run("batch-processor", ctx);
    // then
    assertThat(outcome.result()).isEqualTo(json(ctx, "{\"processed\":2}"));
    assertThat(ctx.emits()).containsExactly(
        json(ctx, "{\"current\":1,\"total\":2,\"progress\":50,\"item\":{\"id\":1}}"),
        json(ctx, "{\"current\":2,\"total\":2,\"progress\":100,\"item\":{\"id\":2}}"));
  }

  @Test
  void statefulClearsItsStateWhenDone() {
    // given
    TestWorkerContext ctx = context("stateful", "{}");
    // when
    jobs.run("stateful", ctx);
    // then
    assertThat(ctx.emits()).extracting(m -> m.path("progress").asInt())
        .containsExactly(20, 40, 60, 80, 100);
    assertThat(ctx.state()).isEmpty();
  }

  @Test
  void checkpointedBatchResumesAfterTheLastCheckpoint() throws Exception {
    // given an earlier attempt completed 3 of 5 batches
    TestWorkerContext ctx = jobs.context("checkpointed-batch").attempt(2)
        .checkpoint(Map.of("completed", 3))
        .payloadJson("{\"batches\":5,\"batchMs\":1}").build();
    // when
    TestOutcome outcome = jobs.run("checkpointed-batch", ctx);
    // then
    assertThat(outcome.result()).isEqualTo(json(ctx, "{\"batches\":5,\"resumedFrom\":3}"));
    assertThat(ctx.emits()).extracting(m -> m.path("batch").asInt()).containsExactly(4, 5);
    assertThat(ctx.checkpoints()).extracting(c -> c.path("completed").asInt())
        .containsExactly(4, 5);
    assertThat(ctx.logs()).extracting(LoggedLine::message)
        .containsExactly("Resuming after batch 3 of 5");
  }

  @Test
  void slowWorkerSleepsForItsPayloadsMilliseconds() throws Exception {
    // given
    TestWorkerContext ctx = context("slow-worker", "{\"ms\":5}");
    // when
    TestOutcome outcome = jobs.run("slow-worker", ctx);
    // then
    assertThat(outcome.result()).isEqualTo(json(ctx, "{\"sleptMs\":5}"));
  }
}
