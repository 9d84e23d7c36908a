package dev.troupe.examples.video;

import dev.troupe.api.PermanentFailure;
import dev.troupe.api.Required;
import dev.troupe.api.WorkerConfig;
import dev.troupe.api.WorkerModule;
import dev.troupe.api.WorkerRegistrar;
import java.io.BufferedReader;
import java.time.Duration;
import java.time.LocalTime;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code transcode-4k}: transcodes {@code inputPath} to {@code outputPath} with ffmpeg (H.264, CRF
 * 18), reporting progress as ffmpeg goes: it reads the input's {@code Duration:} and each {@code
 * time=} from ffmpeg's standard error and emits {@code {"progress": percent, "message":
 * "transcoding"}}. Returns {@code {"outputPath"}}; ffmpeg exiting non-zero fails the run
 * permanently (label {@code ffmpeg-failed}). A cancel or timeout kills ffmpeg.
 *
 * <p>The command is {@code troupe.workers.transcode-4k.command} (a list; {@code ["ffmpeg"]} in
 * this module's reference.conf), to which the arguments are appended. One transcode at a time
 * per node, as the seed's one per worker process: the reference.conf sets {@code
 * troupe.node.worker-limits}.
 */
public final class Transcode4k implements WorkerModule {
  private static final Pattern CLOCK = Pattern.compile("(Duration: |time=)([\\d:]{8}\\.\\d+)");

  record Transcode(@Required String inputPath, @Required String outputPath) {}

  record Transcoded(String outputPath) {}

  @Override
  public void install(WorkerRegistrar troupe) {
    WorkerConfig twoHours = WorkerConfig.DEFAULT.withTimeout(Duration.ofHours(2));
    troupe.job("transcode-4k", Transcode.class, twoHours, (job, ctx) -> {
      List<String> command = new ArrayList<>(ctx.config().getStringList("command"));
      command.addAll(List.of("-i", job.inputPath(), "-vcodec", "libx264", "-crf", "18",
          "-y", job.outputPath()));
      Process ffmpeg = new ProcessBuilder(command)
          .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
      ctx.onCancel(ffmpeg::destroyForcibly);
      long durationMs = 0;
      try (BufferedReader stderr = ffmpeg.errorReader()) {
        for (String line = stderr.readLine(); line != null; line = stderr.readLine()) {
          Matcher m = CLOCK.matcher(line);
          if (m.find()) {
            long ms = LocalTime.parse(m.group(2)).toNanoOfDay() / 1_000_000;
            if (m.group(1).startsWith("Duration")) {
              durationMs = ms;
            } else {
              ctx.progress(ms, durationMs, "transcoding");
            }
          }
        }
      }
      if (ffmpeg.waitFor() != 0) {
        throw PermanentFailure.coded("ffmpeg-failed",
            "ffmpeg exited with " + ffmpeg.exitValue());
      }
      return new Transcoded(job.outputPath());
    });
  }
}
