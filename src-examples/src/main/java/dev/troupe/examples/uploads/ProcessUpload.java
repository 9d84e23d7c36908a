package dev.troupe.examples.uploads;

import dev.troupe.api.PermanentFailure;
import dev.troupe.api.Required;
import dev.troupe.api.WorkerModule;
import dev.troupe.api.WorkerRegistrar;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * {@code process-upload}: file processing in stages, each announced before it runs with a
 * message {@code {"step": name, "progress": percent}}: validate (25), process (50), thumbnail
 * (75), save (100). It reads the text file {@code payload.filePath} and returns its line and
 * word counts. A path that is not a regular file fails the run permanently (label {@code
 * not-a-file}); an I/O error while reading is transient, so the run is retried.
 */
public final class ProcessUpload implements WorkerModule {
  record Upload(@Required String filePath) {}

  record Processed(String filePath, int lines, long words) {}

  @Override
  public void install(WorkerRegistrar troupe) {
    troupe.job("process-upload", Upload.class, (upload, ctx) -> {
      Path file = Path.of(upload.filePath());
      ctx.info("Processing file: {}", file);
      ctx.emit(Map.of("step", "validate", "progress", 25));
      if (!Files.isRegularFile(file)) {
        throw PermanentFailure.coded("not-a-file", "not a regular file: " + file);
      }
      ctx.emit(Map.of("step", "process", "progress", 50));
      List<String> lines = Files.readAllLines(file);
      ctx.emit(Map.of("step", "thumbnail", "progress", 75));
      long words = lines.stream().flatMap(l -> List.of(l.trim().split("\\s+")).stream())
          .filter(w -> !w.isEmpty()).count();
      ctx.emit(Map.of("step", "save", "progress", 100));
      ctx.info("File processing complete");
      return new Processed(upload.filePath(), lines.size(), words);
    });
  }
}
