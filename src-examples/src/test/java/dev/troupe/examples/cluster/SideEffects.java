package dev.troupe.examples.cluster;

import dev.troupe.api.WorkerContext;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the test workers of the node processes do that a process test counts: lines appended to
 * {@code events.log} in a directory the payload names, which outlive a node killed with SIGKILL
 * or frozen with SIGSTOP. A line is {@code kind=… run=… attempt=… node=<HTTP port> …},
 * space-separated, written by a worker ({@link #record}) and read back by the test ({@link
 * #read}).
 */
final class SideEffects {
  private SideEffects() {}

  /**
   * Appends one line (a single write to a file opened for appending: whole, whichever node
   * writes it) naming the run, its attempt and the node.
   */
  static void record(Path dir, WorkerContext ctx, String what) {
    String line = what + " run=" + ctx.runId() + " attempt=" + ctx.attempt()
        + " node=" + System.getenv("TROUPE_HTTP_PORT") + "\n";
    try {
      Files.write(dir.resolve("events.log"), line.getBytes(StandardCharsets.UTF_8),
          StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The lines of {@code events.log} of one kind, in the order they were written, as key-value maps. */
  static List<Map<String, String>> read(Path dir, String kind) throws IOException {
    List<String> lines;
    try {
      lines = Files.readAllLines(dir.resolve("events.log"));
    } catch (NoSuchFileException none) {
      return List.of();
    }
    List<Map<String, String>> out = new ArrayList<>();
    for (String line : lines) {
      Map<String, String> e = new LinkedHashMap<>();
      for (String pair : line.split(" ")) {
        int eq = pair.indexOf('=');
        e.put(pair.substring(0, eq), pair.substring(eq + 1));
      }
      if (e.get("kind").equals(kind)) {
        out.add(e);
      }
    }
    return out;
  }
}
