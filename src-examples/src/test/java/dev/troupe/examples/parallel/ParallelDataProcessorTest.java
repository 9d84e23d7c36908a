package dev.troupe.examples.parallel;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.troupe.api.RunStatus;
import dev.troupe.examples.testing.InstalledJobs;
import dev.troupe.testkit.TestOutcome;
import dev.troupe.testkit.TestWorkerContext;
import org.junit.jupiter.api.Test;

class ParallelDataProcessorTest {
  private final InstalledJobs jobs = InstalledJobs.of(new ParallelDataProcessor());

  @Test
  void processesEveryItemAndReportsTheOneThatFailedByItsIndex() {
    // given
    TestWorkerContext ctx = jobs.context("parallel-data-processor")
        .payloadJson("{\"items\":[\"a\",1,null,{\"k\":true}],\"maxConcurrency\":2}")
        .child("enrich-item", jobs.asChild("enrich-item")).build();
    // when
    TestOutcome outcome = jobs.run("parallel-data-processor", ctx);
    // then one child per item, in order, and their results gathered
    assertThat(ctx.childCalls()).extracting(c -> ((JsonNode) c.payload()).path("item").toString())
        .containsExactly("\"a\"", "1", "null", "{\"k\":true}");
    JsonNode report = outcome.result();
    assertThat(outcome.status()).isEqualTo(RunStatus.SUCCEEDED);
    assertThat(report.path("totalItems").asInt()).isEqualTo(4);
    assertThat(report.path("successfulCount").asInt()).isEqualTo(3);
    assertThat(report.path("errorCount").asInt()).isEqualTo(1);
    assertThat(report.path("errors").get(0).path("itemIndex").asInt()).isEqualTo(2);
    assertThat(report.path("errors").get(0).path("error").asText()).isEqualTo("null item");
    assertThat(report.path("processedItems")).extracting(p -> p.path("original").toString())
        .containsExactly("\"a\"", "1", "{\"k\":true}");
    // the MD5 of the item's JSON text, "a" with its quotes
    assertThat(report.path("processedItems").get(0).path("hash").asText())
        .isEqualTo("6067924ae1b1832abce3d12fe83755a9");
  }

  @Test
  void noItemsMakeAnEmptyReport() {
    // when
    TestOutcome outcome = jobs.run("parallel-data-processor",
        jobs.context("parallel-data-processor").payloadJson("{}").build());
    // then
    assertThat(outcome.result().path("totalItems").asInt()).isZero();
    assertThat(outcome.result().path("processedItems")).isEmpty();
  }
}
