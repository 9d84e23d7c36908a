package dev.troupe.examples.progress;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.troupe.api.RunStatus;
import dev.troupe.examples.testing.InstalledJobs;
import dev.troupe.testkit.Progress;
import dev.troupe.testkit.TestOutcome;
import dev.troupe.testkit.TestWorkerContext;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class EmitProgressTest {
  private final InstalledJobs jobs = InstalledJobs.of(new EmitProgress());

  @Test
  void emitsTenStepsThenCompleteAndNoResult() {
    // given
    TestWorkerContext ctx = jobs.context("emit-progress").build();
    // when
    TestOutcome outcome = jobs.run("emit-progress", ctx);
    // then
    assertThat(outcome.status()).isEqualTo(RunStatus.SUCCEEDED);
    assertThat(outcome.result()).isNull();
    List<Progress> steps = IntStream.rangeClosed(1, 10)
        .mapToObj(i -> new Progress(i * 10, "Processing item " + i + "/10")).toList();
    assertThat(ctx.progress()).containsExactlyElementsOf(steps);
    assertThat(ctx.emits().get(ctx.emits().size() - 1).path("status").asText())
        .isEqualTo("complete");
    assertThat(ctx.emits()).hasSize(11);
  }

  @Test
  void aCancelEndsItAtTheStepItIsIn() throws Exception {
    // given a run at its first step
    TestWorkerContext ctx = jobs.context("emit-progress").payload(Map.of()).build();
    var running = jobs.start("emit-progress", ctx);
    await().atMost(Duration.ofSeconds(10)).until(() -> !ctx.progress().isEmpty());
    // when
    ctx.cancel();
    TestOutcome outcome = running.get(10, TimeUnit.SECONDS);
    // then
    assertThat(outcome.status()).isEqualTo(RunStatus.CANCELLED);
    assertThat(ctx.emits()).noneMatch(e -> e.has("status"));
    assertThat(ctx.progress().size()).isLessThan(10);
  }
}
