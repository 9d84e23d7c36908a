package dev.troupe.examples.inference;

import static org.assertj.core.api.Assertions.assertThat;

import dev.troupe.api.RunStatus;
import dev.troupe.examples.inference.SentimentModel.Prediction;
import dev.troupe.examples.testing.InstalledJobs;
import dev.troupe.testkit.TestOutcome;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SentimentAnalysisTest {
  private final InstalledJobs jobs = InstalledJobs.of(new SentimentAnalysis());

  private TestOutcome analyse(String text) {
    return jobs.run("sentiment-analysis",
        jobs.context("sentiment-analysis").payload(Map.of("text", text)).build());
  }

  @Test
  void labelsTheTextByItsWords() {
    // when
    TestOutcome positive = analyse("I love it, great and fast!");
    TestOutcome negative = analyse("Awful. Slow and broken.");
    TestOutcome neutral = analyse("It is a chair.");
    // then
    assertThat(positive.status()).isEqualTo(RunStatus.SUCCEEDED);
    assertThat(positive.resultAs(Prediction.class).label()).isEqualTo("POSITIVE");
    assertThat(negative.resultAs(Prediction.class).label()).isEqualTo("NEGATIVE");
    assertThat(neutral.resultAs(Prediction.class)).isEqualTo(new Prediction("NEUTRAL", 0.5));
  }

  @Test
  void aStrongerTextScoresHigher() {
    // when
    double good = analyse("good").resultAs(Prediction.class).score();
    double excellent = analyse("excellent, I love it").resultAs(Prediction.class).score();
    // then
    assertThat(good).isGreaterThan(0.5);
    assertThat(excellent).isGreaterThan(good).isLessThan(1.0);
  }

  @Test
  void theTextIsRequired() {
    // when
    TestOutcome outcome = jobs.run("sentiment-analysis",
        jobs.context("sentiment-analysis").payloadJson("{}").build());
    // then
    assertThat(outcome.status()).isEqualTo(RunStatus.FAILED);
    assertThat(outcome.error().message()).isEqualTo("payload.text: required, missing");
  }
}
