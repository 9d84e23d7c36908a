package dev.troupe.examples.maintenance;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.troupe.api.RunStatus;
import dev.troupe.examples.maintenance.CleanupTempFiles.Cleaned;
import dev.troupe.examples.testing.InstalledJobs;
import dev.troupe.testkit.LoggedLine;
import dev.troupe.testkit.TestOutcome;
import dev.troupe.testkit.TestWorkerContext;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CleanupTempFilesTest {
  private final InstalledJobs jobs = InstalledJobs.of(new CleanupTempFiles());

  @TempDir
  Path dir;

  private TestWorkerContext cleaning(Path directory) {
    return jobs.context("cleanup-temp-files")
        .config(ConfigFactory.parseMap(Map.of("directory", directory.toString()))).build();
  }

  @Test
  void removesTheFilesOlderThanADayAndKeepsTheRest() throws Exception {
    // given two old files, a fresh one and an old subdirectory
    Instant twoDaysAgo = Instant.now().minus(Duration.ofDays(2));
    for (String name : new String[] {"old-1.tmp", "old-2.tmp"}) {
      Files.setLastModifiedTime(Files.writeString(dir.resolve(name), "x"),
          FileTime.from(twoDaysAgo));
    }
    Path fresh = Files.writeString(dir.resolve("fresh.tmp"), "x");
    Path sub = Files.createDirectory(dir.resolve("keep"));
    Files.setLastModifiedTime(sub, FileTime.from(twoDaysAgo));
    TestWorkerContext ctx = cleaning(dir);
    // when
    TestOutcome outcome = jobs.run("cleanup-temp-files", ctx);
    // then
    assertThat(outcome.status()).isEqualTo(RunStatus.SUCCEEDED);
    assertThat(outcome.resultAs(Cleaned.class)).isEqualTo(new Cleaned(2, dir.toString()));
    assertThat(ctx.logs()).extracting(LoggedLine::message)
        .containsExactly("Starting cleanup task", "Cleanup complete: 2 files removed");
    try (var left = Files.list(dir)) {
      assertThat(left).containsExactlyInAnyOrder(fresh, sub);
    }
  }

  @Test
  void aMissingDirectoryHasNothingToRemove() {
    // given
    Path missing = dir.resolve("nowhere");
    // when
    TestOutcome outcome = jobs.run("cleanup-temp-files", cleaning(missing));
    // then
    assertThat(outcome.resultAs(Cleaned.class)).isEqualTo(new Cleaned(0, missing.toString()));
  }

  @Test
  void runsEveryHourOnTheScheduleItsModuleDeclares() {
    // given the module as installed, when its schedules are read
    // then it is called at minute 0 of every hour
    assertThat(jobs.schedules()).singleElement().satisfies(s -> {
      assertThat(s.worker()).isEqualTo("cleanup-temp-files");
      assertThat(s.cron()).isEqualTo("0 * * * *");
    });
  }

  @Test
  void withoutAConfiguredDirectoryItCleansTheSeedsUploadDirectory() {
    // given the configuration a node loads, without TROUPE_CLEANUP_DIRECTORY
    Assumptions.assumeTrue(System.getenv("TROUPE_CLEANUP_DIRECTORY") == null);
    // when the worker's subtree is read
    Config config = ConfigFactory.load().getConfig("troupe.workers.cleanup-temp-files");
    // then the module's reference.conf names the seed's directory
    assertThat(config.getString("directory")).isEqualTo("/tmp/app_uploads");
  }
}
