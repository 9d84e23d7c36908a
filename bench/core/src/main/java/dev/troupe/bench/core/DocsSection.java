package dev.troupe.bench.core;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Map;

/**
 * A harness's section of {@code docs/benchmarks.md}: the text between its markers {@code <!--
 * name:start -->} and {@code <!-- name:end -->}, which {@link #writeInto} replaces, leaving the
 * other sections as they are; and the pieces every section's text begins with.
 */
public final class DocsSection {
  /** Where the sections are written unless an option says otherwise. */
  public static final String DOCS = "docs/benchmarks.md";

  private static final DateTimeFormatter MINUTE = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'");

  private final String start;
  private final String end;

  /** The section marked {@code <!-- name:start -->} … {@code <!-- name:end -->}. */
  public DocsSection(String name) {
    this.start = "<!-- " + name + ":start -->";
    this.end = "<!-- " + name + ":end -->";
  }

  /** The marker the section's text begins with. */
  public String start() {
    return start;
  }

  /** The marker the section's text ends with. */
  public String end() {
    return end;
  }

  /**
   * Replaces the text from this section's start marker to its end marker (and the line break
   * after it) with {@code section}, or appends {@code section} when the file has no such markers;
   * creates the file when there is none.
   */
  public void writeInto(Path docs, String section) throws IOException {
    Path abs = docs.toAbsolutePath();
    if (abs.getParent() != null) {
      Files.createDirectories(abs.getParent());
    }
    String text = Files.exists(abs) ? Files.readString(abs, StandardCharsets.UTF_8)
        : "# Benchmarks\n\nFigures written by the benchmark harnesses in `bench/`; each keeps"
            + " its own section between its markers.\n\n";
    int a = text.indexOf(start);
    int z = text.indexOf(end);
    String out;
    if (a >= 0 && z > a) {
      int after = z + end.length();
      if (after < text.length() && text.charAt(after) == '\n') {
        after++;
      }
      out = text.substring(0, a) + section + text.substring(after);
    } else {
      out = text + (text.endsWith("\n\n") || text.isEmpty() ? "" : text.endsWith("\n") ? "\n" : "\n\n")
          + section;
    }
    Files.writeString(abs, out, StandardCharsets.UTF_8);
  }

  /** When a run started, to the minute, e.g. "2026-11-23 16:36 UTC". */
  public static String writtenOn(ZonedDateTime started) {
    return started.format(MINUTE);
  }

  /** The paragraph that shows the command a section was written by, then a blank line. */
  public static String command(String command) {
    return "Command (from the repository root):\n\n```\n" + command + "\n```\n\n";
  }

  /** A two-column table without a header, one row per entry: the machine table. */
  public static String table(Map<String, String> rows) {
    StringBuilder b = new StringBuilder("| | |\n|---|---|\n");
    rows.forEach((k, v) -> b.append("| ").append(k).append(" | ").append(v).append(" |\n"));
    return b.toString();
  }
}
