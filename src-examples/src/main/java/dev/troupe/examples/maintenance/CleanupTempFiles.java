package dev.troupe.examples.maintenance;

import dev.troupe.api.WorkerModule;
import dev.troupe.api.WorkerRegistrar;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.stream.Stream;

/**
 * {@code cleanup-temp-files}: deletes the regular files of {@code payload.directory} (default
 * {@code /tmp/app_uploads}) last modified more than 24 hours ago; subdirectories are left alone
 * and a missing directory counts as empty. Emits and returns {@code {"filesRemoved": n,
 * "directory": …}}. Deleting is idempotent, so a retry after a crash just finishes the job.
 *
 * <p>The seed runs it every hour. Troupe has no schedules yet: once they land, this worker is
 * meant to be scheduled hourly; until then, call it from a timer of your own.
 */
public final class CleanupTempFiles implements WorkerModule {
  record Cleanup(String directory) {}

  record Cleaned(long filesRemoved, String directory) {}

  @Override
  public void install(WorkerRegistrar troupe) {
    troupe.job("cleanup-temp-files", Cleanup.class, (job, ctx) -> {
      ctx.info("Starting cleanup task");
      Path dir = Path.of(Objects.requireNonNullElse(job.directory(), "/tmp/app_uploads"));
      long cutoff = Instant.now().minus(Duration.ofHours(24)).toEpochMilli();
      long removed;
      try (Stream<Path> entries = Files.isDirectory(dir) ? Files.list(dir) : Stream.empty()) {
        removed = entries.map(Path::toFile)
            .filter(f -> f.isFile() && f.lastModified() < cutoff && f.delete()).count();
      }
      Cleaned cleaned = new Cleaned(removed, dir.toString());
      ctx.emit(cleaned);
      ctx.info("Cleanup complete: {} files removed", removed);
      return cleaned;
    });
  }
}
