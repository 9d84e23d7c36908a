package dev.troupe.examples.reports;

import static org.assertj.core.api.Assertions.assertThat;

import dev.troupe.api.RunStatus;
import dev.troupe.examples.testing.InstalledJobs;
import dev.troupe.testkit.TestOutcome;
import dev.troupe.testkit.TestWorkerContext;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class GenerateReportTest {
  private final InstalledJobs jobs = InstalledJobs.of(new GenerateReport());

  @Test
  void goesThroughItsStagesAndReturnsTheReportsUrl() throws Exception {
    // given
    TestWorkerContext ctx = jobs.context("generate-report")
        .payload(Map.of("userId", 42, "type", "weekly", "amounts", List.of(1.5, 2.5))).build();
    // when
    TestOutcome outcome = jobs.run("generate-report", ctx);
    // then
    assertThat(outcome.status()).isEqualTo(RunStatus.SUCCEEDED);
    GenerateReport.Report report = outcome.resultAs(GenerateReport.Report.class);
    assertThat(report.total()).isEqualTo(4.0);
    Path file = Path.of(URI.create(report.url()));
    assertThat(Files.readString(file)).isEqualTo("weekly report for user 42: total 4.0\n");
    assertThat(ctx.emits()).extracting(m -> m.path("stage").asText() + "@" + m.path("progress"))
        .containsExactly("fetching_data@10", "processing@40", "generating@70", "uploading@90",
            "complete@100");
    assertThat(ctx.emits().get(4).path("url").asText()).isEqualTo(report.url());
    Files.delete(file);
  }

  @Test
  void theUserIsRequired() {
    // given
    TestWorkerContext ctx = jobs.context("generate-report").payloadJson("{\"type\":\"monthly\"}")
        .build();
    // when
    TestOutcome outcome = jobs.run("generate-report", ctx);
    // then
    assertThat(outcome.status()).isEqualTo(RunStatus.FAILED);
    assertThat(outcome.error().message()).isEqualTo("payload.userId: required, missing");
  }
}
