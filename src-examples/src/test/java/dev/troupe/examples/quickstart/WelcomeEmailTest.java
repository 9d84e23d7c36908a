package dev.troupe.examples.quickstart;

import static org.assertj.core.api.Assertions.assertThat;

import dev.troupe.api.RunStatus;
import dev.troupe.examples.testing.InstalledJobs;
import dev.troupe.testkit.LoggedLine;
import dev.troupe.testkit.TestOutcome;
import dev.troupe.testkit.TestWorkerContext;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class WelcomeEmailTest {
  private final InstalledJobs jobs = InstalledJobs.of(new WelcomeEmail());

  @Test
  void logsBeforeAndAfterSendingAndSucceedsWithoutAResult() {
    // given
    TestWorkerContext ctx = jobs.context("welcome-email").payload(Map.of("delayMs", 5)).build();
    // when
    TestOutcome outcome = jobs.run("welcome-email", ctx);
    // then
    assertThat(outcome.status()).isEqualTo(RunStatus.SUCCEEDED);
    assertThat(outcome.result()).isNull();
    assertThat(ctx.logs()).extracting(LoggedLine::message)
        .containsExactly("Sending email...", "Email sent successfully!");
  }

  @Test
  void aCancelWhileSendingEndsTheRunBeforeItSaysSent() throws Exception {
    // given a run that would send for a minute
    TestWorkerContext ctx = jobs.context("welcome-email").payload(Map.of("delayMs", 60_000))
        .build();
    var running = jobs.start("welcome-email", ctx);
    // when
    ctx.cancel();
    TestOutcome outcome = running.get(10, TimeUnit.SECONDS);
    // then
    assertThat(outcome.status()).isEqualTo(RunStatus.CANCELLED);
    assertThat(ctx.logs()).extracting(LoggedLine::message)
        .doesNotContain("Email sent successfully!");
  }
}
