package dev.troupe.examples.uploads;

import static org.assertj.core.api.Assertions.assertThat;

import dev.troupe.api.ErrorCode;
import dev.troupe.api.RunStatus;
import dev.troupe.examples.testing.InstalledJobs;
import dev.troupe.testkit.TestOutcome;
import dev.troupe.testkit.TestWorkerContext;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProcessUploadTest {
  private final InstalledJobs jobs = InstalledJobs.of(new ProcessUpload());

  @TempDir
  Path dir;

  @Test
  void announcesEachStageThenReturnsTheFilesCounts() throws Exception {
    // given
    Path file = Files.writeString(dir.resolve("upload.txt"), "one two\n\nthree  four five\n");
    TestWorkerContext ctx = jobs.context("process-upload")
        .payload(Map.of("filePath", file.toString())).build();
    // when
    TestOutcome outcome = jobs.run("process-upload", ctx);
    // then
    assertThat(outcome.status()).isEqualTo(RunStatus.SUCCEEDED);
    assertThat(outcome.resultAs(ProcessUpload.Processed.class))
        .isEqualTo(new ProcessUpload.Processed(file.toString(), 3, 5));
    assertThat(ctx.emits()).extracting(m -> m.path("step").asText() + "@" + m.path("progress"))
        .containsExactly("validate@25", "process@50", "thumbnail@75", "save@100");
  }

  @Test
  void aPathThatIsNotAFileFailsPermanentlyWithItsLabel() {
    // given
    TestWorkerContext ctx = jobs.context("process-upload")
        .payload(Map.of("filePath", dir.resolve("missing.pdf").toString())).build();
    // when
    TestOutcome outcome = jobs.run("process-upload", ctx);
    // then
    assertThat(outcome.status()).isEqualTo(RunStatus.FAILED);
    assertThat(outcome.error().code()).isEqualTo(ErrorCode.PERMANENT_ERROR);
    assertThat(outcome.error().label()).isEqualTo("not-a-file");
    assertThat(ctx.emits()).containsExactly(
        ctx.json().createObjectNode().put("step", "validate").put("progress", 25));
  }

  @Test
  void aMissingFilePathIsNamed() {
    // given
    TestWorkerContext ctx = jobs.context("process-upload").payloadJson("{}").build();
    // when
    TestOutcome outcome = jobs.run("process-upload", ctx);
    // then
    assertThat(outcome.status()).isEqualTo(RunStatus.FAILED);
    assertThat(outcome.error().message()).isEqualTo("payload.filePath: required, missing");
    assertThat(ctx.emits()).isEmpty();
  }
}
