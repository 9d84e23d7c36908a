package dev.troupe.examples.maintenance;

import com.fasterxml.jackson.databind.JsonNode;
import dev.troupe.api.Schedule;
import dev.troupe.api.WorkerModule;
import dev.troupe.api.WorkerRegistrar;
import java.io.File;
import java.time.Duration;
import java.util.Objects;
import java.util.stream.Stream;

/**
 * {@code cleanup-temp-files}: deletes the regular files of the node's upload directory that were
 * last modified more than 24 hours ago; subdirectories are left alone and a missing directory
 * counts as empty. The directory is {@code troupe.workers.cleanup-temp-files.directory} (this
 * module's reference.conf: {@code /tmp/app_uploads}, or {@code TROUPE_CLEANUP_DIRECTORY}): a
 * scheduled job has no caller to pass it. Returns {@code
 * {"filesRemoved": n, "directory": …}} (the seed emits it: its workers have no result).
 * Deleting is idempotent, so a retry after a crash just finishes the job.
 *
 * <p>The seed runs it every hour: the module declares the schedule {@code cleanup-hourly} (at
 * minute 0 of every hour, UTC), which the node keeps in sync at start.
 */
public final class CleanupTempFiles implements WorkerModule {
  record Cleaned(long filesRemoved, String directory) {}

  @Override
  public void install(WorkerRegistrar troupe) {
    troupe.job("cleanup-temp-files", JsonNode.class, (payload, ctx) -> {
      ctx.info("Starting cleanup task");
      File dir = new File(ctx.config().getString("directory"));
      long cutoff = System.currentTimeMillis() - Duration.ofHours(24).toMillis();
      long removed = Stream.of(Objects.requireNonNullElse(dir.listFiles(), new File[0]))
          .filter(f -> f.isFile() && f.lastModified() < cutoff && f.delete()).count();
      ctx.info("Cleanup complete: {} files removed", removed);
      return new Cleaned(removed, dir.getPath());
    });
    troupe.schedule(Schedule.of("cleanup-hourly", "cleanup-temp-files", "0 * * * *"));
  }
}
