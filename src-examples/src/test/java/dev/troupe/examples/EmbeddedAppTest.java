package dev.troupe.examples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.troupe.examples.embedding.EmbeddedApp;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorSystem;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The embedding example, run for real: its own actor system, its own worker, a clean end. */
class EmbeddedAppTest {
  private static final String RESULT_LINE = "result: SUCCEEDED after 1 attempt(s): "
      + "{\"image\":\"cat.png\",\"thumbnails\":[\"cat-64.png\",\"cat-128.png\",\"cat-256.png\"]}";

  @Test
  void theDemoStreamsTheProgressInOrderThenPrintsTheResultAndTerminatesItsSystem(
      @TempDir Path dataDir) {
    // given
    ActorSystem<Void> system = EmbeddedApp.createSystem(dataDir);
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
    // when
    List<String> lines = EmbeddedApp.runDemo(system, out);
    // then the three progress messages, in order, then the end of the stream, then the result
    assertThat(lines).filteredOn(l -> l.contains(" message ")).containsExactly(
        "  #4 message {\"progress\":33,\"message\":\"made cat-64.png\"}",
        "  #5 message {\"progress\":67,\"message\":\"made cat-128.png\"}",
        "  #6 message {\"progress\":100,\"message\":\"made cat-256.png\"}");
    assertThat(lines).containsSubsequence(
        "Troupe started in actor system 'my-app'",
        "registered workers: [thumbnail]",
        "  #1 status  QUEUED",
        "  #2 status  RUNNING (attempt 1)",
        "  #3 log     info: Making 3 thumbnails of cat.png",
        "  #4 message {\"progress\":33,\"message\":\"made cat-64.png\"}",
        "  #7 result  SUCCEEDED (end of stream)",
        RESULT_LINE,
        "actor system 'my-app' terminated");
    assertThat(lines.get(lines.size() - 1)).isEqualTo("actor system 'my-app' terminated");
    assertThat(bytes.toString(StandardCharsets.UTF_8).lines()).containsExactlyElementsOf(lines);
    // and the system terminated, having kept its journal in the data folder
    assertThat(system.getWhenTerminated().toCompletableFuture()).isDone();
    assertThat(dataDir.resolve("troupe.mv.db")).exists();
  }

  @Test
  void theDemoRunsAgainOnTheDatabaseItLeftBehind(@TempDir Path dataDir) {
    // given a first run of the app that left its journal in the data folder
    EmbeddedApp.runDemo(dataDir, new PrintStream(new ByteArrayOutputStream(), true,
        StandardCharsets.UTF_8));
    ActorSystem<Void> again = EmbeddedApp.createSystem(dataDir);
    // when the app starts again on it
    List<String> lines = EmbeddedApp.runDemo(again, new PrintStream(new ByteArrayOutputStream(),
        true, StandardCharsets.UTF_8));
    // then it recovers and works as the first time
    assertThat(lines).filteredOn(l -> l.contains(" message ")).hasSize(3);
    assertThat(lines).contains(RESULT_LINE);
    assertThat(again.getWhenTerminated().toCompletableFuture()).isDone();
  }

  @Test
  void mainExitsWithStatusZeroInItsOwnJvm(@TempDir Path dataDir) throws Exception {
    // given a JVM of its own, so that a lingering thread or a System.exit would show
    String classpath = System.getProperty("surefire.test.class.path",
        System.getProperty("java.class.path"));
    Path output = dataDir.resolve("output.txt");
    ProcessBuilder pb = new ProcessBuilder(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", classpath, EmbeddedApp.class.getName(), dataDir.resolve("db").toString())
        .redirectErrorStream(true)
        .redirectOutput(output.toFile());
    // when
    Process process = pb.start();
    boolean exited = process.waitFor(120, TimeUnit.SECONDS);
    // then
    if (!exited) {
      process.destroyForcibly();
    }
    String printed = read(output);
    assertThat(exited).as("the JVM exited by itself; its output:%n%s", printed).isTrue();
    assertThat(process.exitValue()).as("exit status; output:%n%s", printed).isZero();
    assertThat(printed.lines()).contains(RESULT_LINE, "actor system 'my-app' terminated");
    assertThat(dataDir.resolve("db").resolve("troupe.mv.db")).exists();
  }

  private static String read(Path file) throws IOException {
    return new File(file.toString()).exists() ? Files.readString(file) : "";
  }
}
