package dev.troupe.examples.tasks;

import static org.assertj.core.api.Assertions.assertThat;

import dev.troupe.api.RunStatus;
import dev.troupe.examples.testing.InstalledJobs;
import dev.troupe.testkit.Progress;
import dev.troupe.testkit.TestOutcome;
import dev.troupe.testkit.TestWorkerContext;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class ComplexTaskTest {
  private final InstalledJobs jobs = InstalledJobs.of(new ComplexTask());

  @Test
  void reportsAnIntegerPercentAfterEachStep() {
    // given
    TestWorkerContext ctx = jobs.context("complex-task")
        .payload(Map.of("steps", 3, "stepMs", 1)).build();
    // when
    TestOutcome outcome = jobs.run("complex-task", ctx);
    // then
    assertThat(outcome.status()).isEqualTo(RunStatus.SUCCEEDED);
    assertThat(outcome.result().path("stepsCompleted").asInt()).isEqualTo(3);
    assertThat(ctx.progress()).containsExactly(new Progress(33, "Step 1/3"),
        new Progress(66, "Step 2/3"), new Progress(100, "Step 3/3"));
  }

  @Test
  void aCancelEndsItBetweenSteps() throws Exception {
    // given ten steps of a minute
    TestWorkerContext ctx = jobs.context("complex-task")
        .payload(Map.of("steps", 10, "stepMs", 60_000)).build();
    var running = jobs.start("complex-task", ctx);
    // when
    ctx.cancel();
    TestOutcome outcome = running.get(10, TimeUnit.SECONDS);
    // then
    assertThat(outcome.status()).isEqualTo(RunStatus.CANCELLED);
    assertThat(ctx.progress()).isEmpty();
  }
}
