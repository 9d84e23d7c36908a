package dev.troupe.examples.video;

import dev.troupe.api.PermanentFailure;
import dev.troupe.api.Required;
import dev.troupe.api.WorkerConfig;
import dev.troupe.api.WorkerModule;
import dev.troupe.api.WorkerRegistrar;
import java.io.BufferedReader;
import java.time.Duration;
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
 * <p>The command is {@code troupe.workers.transcode-4k.command} (a list, default {@code
 * ["ffmpeg"]}), to which the arguments are appended. One transcode at a time per partition of the
 * definition: the seed's limit is per worker process, and Troupe has no per-node limits yet.
 */
public final class Transcode4k implements WorkerModule {
  private static final Pattern DURATION = Pattern.compile("Duration: (\\d+):(\\d+):([\\d.]+)");
  private static final Pattern TIME = Pattern.compile("time=(\\d+):(\\d+):([\\d.]+)");

  record Transcode(@Required String inputPath, @Required String outputPath) {}

  record Transcoded(String outputPath) {}

  @Override
  public void install(WorkerRegistrar troupe) {
    troupe.job("transcode-4k", Transcode.class, WorkerConfig.DEFAULT.withMaxConcurrent(1)
        .withTimeout(Duration.ofHours(2)), (job, ctx) -> {
          List<String> command = new ArrayList<>(ctx.config().hasPath("command")
              ? ctx.config().getStringList("command") : List.of("ffmpeg"));
          command.addAll(List.of("-i", job.inputPath(), "-vcodec", "libx264", "-crf", "18",
              "-y", job.outputPath()));
          Process ffmpeg = new ProcessBuilder(command)
              .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
          ctx.onCancel(ffmpeg::destroyForcibly);
          double duration = 0;
          try (BufferedReader stderr = ffmpeg.errorReader()) {
            for (String line = stderr.readLine(); line != null; line = stderr.readLine()) {
              Matcher d = DURATION.matcher(line);
              Matcher t = TIME.matcher(line);
              if (d.find()) {
                duration = seconds(d);
              } else if (t.find() && duration > 0) {
                ctx.progress(Math.round(seconds(t) * 1000), Math.round(duration * 1000),
                    "transcoding");
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

  private static double seconds(Matcher m) {
    return Integer.parseInt(m.group(1)) * 3600 + Integer.parseInt(m.group(2)) * 60
        + Double.parseDouble(m.group(3));
  }
}
