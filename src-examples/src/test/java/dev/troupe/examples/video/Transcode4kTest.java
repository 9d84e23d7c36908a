package dev.troupe.examples.video;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
import dev.troupe.api.RunStatus;
import dev.troupe.examples.testing.InstalledJobs;
import dev.troupe.testkit.Progress;
import dev.troupe.testkit.TestOutcome;
import dev.troupe.testkit.TestWorkerContext;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Runs the worker against a stand-in for ffmpeg: a bash script that talks as ffmpeg does. */
class Transcode4kTest {
  private final InstalledJobs jobs = InstalledJobs.of(new Transcode4k());

  @TempDir
  Path dir;

  /** A fake ffmpeg: prints {@code stderr} on its standard error, then runs {@code then}. */
  private TestWorkerContext transcodeWith(String stderr, String then) throws Exception {
    Path script = Files.writeString(dir.resolve("ffmpeg.sh"),
        "printf '" + stderr + "' >&2\n" + then + "\n");
    return jobs.context("transcode-4k")
        .payload(Map.of("inputPath", dir.resolve("in.mov").toString(),
            "outputPath", dir.resolve("out.mp4").toString()))
        .config(ConfigFactory.empty().withValue("command",
            ConfigValueFactory.fromIterable(List.of("bash", script.toString()))))
        .build();
  }

  @Test
  void reportsProgressFromFfmpegsOutputAndReturnsTheOutput() throws Exception {
    // given ffmpeg's stats lines end in a carriage return, its other lines in a newline
    TestWorkerContext ctx = transcodeWith("  Duration: 00:01:40.00, start: 0.0\\n"
            + "frame=1 time=00:00:25.00 bitrate=1\\rframe=2 time=00:01:15.50 bitrate=1\\r"
            + "frame=3 time=00:01:40.00 bitrate=1\\n",
        "touch \"${@: -1}\"");
    // when
    TestOutcome outcome = jobs.run("transcode-4k", ctx);
    // then
    assertThat(outcome.status()).isEqualTo(RunStatus.SUCCEEDED);
    assertThat(outcome.result().path("outputPath").asText())
        .isEqualTo(dir.resolve("out.mp4").toString());
    assertThat(dir.resolve("out.mp4")).exists();
    assertThat(ctx.progress()).containsExactly(new Progress(25, "transcoding"),
        new Progress(75, "transcoding"), new Progress(100, "transcoding"));
  }

  @Test
  void ffmpegFailingFailsTheRunPermanently() throws Exception {
    // given
    TestWorkerContext ctx = transcodeWith("in.mov: Invalid data found\\n", "exit 1");
    // when
    TestOutcome outcome = jobs.run("transcode-4k", ctx);
    // then
    assertThat(outcome.status()).isEqualTo(RunStatus.FAILED);
    assertThat(outcome.error().label()).isEqualTo("ffmpeg-failed");
    assertThat(outcome.error().message()).isEqualTo("ffmpeg exited with 1");
  }

  @Test
  void aCancelKillsFfmpeg() throws Exception {
    // given an ffmpeg that would run for a minute, writing its pid first
    Path pid = dir.resolve("pid");
    TestWorkerContext ctx = transcodeWith("  Duration: 00:01:00.00\\n",
        "echo $$ > " + pid + "\nexec sleep 60");
    var running = jobs.start("transcode-4k", ctx);
    await().atMost(Duration.ofSeconds(10))
        .until(() -> Files.exists(pid) && Files.readString(pid).endsWith("\n"));
    ProcessHandle ffmpeg = ProcessHandle.of(Long.parseLong(Files.readString(pid).strip()))
        .orElseThrow();
    // when
    ctx.cancel();
    TestOutcome outcome = running.get(10, TimeUnit.SECONDS);
    // then
    assertThat(outcome.status()).isEqualTo(RunStatus.CANCELLED);
    ffmpeg.onExit().get(5, TimeUnit.SECONDS);
    assertThat(ffmpeg.isAlive()).isFalse();
  }
}
