package dev.troupe.client.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.troupe.client.Run;
import dev.troupe.client.RunEvent;
import java.io.PrintWriter;

/**
 * Prints a run's events for a person following it: a line per event, progress reports as a
 * progress bar (redrawn in place on a terminal, a line each otherwise), then the outcome.
 */
final class EventPrinter {
  private final PrintWriter out;
  private final boolean terminal;
  /** A progress bar is on the current line, to be ended before anything else is printed. */
  private boolean barShown;

  EventPrinter(PrintWriter out, boolean terminal) {
    this.out = out;
    this.terminal = terminal;
  }

  void print(RunEvent e) {
    if (e.progress().isPresent()) {
      String bar = ProgressBar.render(e.progress().getAsDouble(), e.data().path("message").asText(""));
      if (terminal) {
        out.print("\r" + bar + "\u001b[K");
        barShown = true;
      } else {
        out.println(bar);
      }
      out.flush();
      return;
    }
    endBar();
    JsonNode d = e.data();
    switch (e.type()) {
      case RunEvent.STATUS -> out.println("status " + d.path("status").asText(d.toString())
          + (d.path("attempt").asInt() > 0 ? " (attempt " + d.path("attempt").asInt() + ")" : ""));
      case RunEvent.LOG -> out.println("log " + d.path("level").asText("") + " "
          + d.path("message").asText(d.toString()));
      case RunEvent.RESULT, RunEvent.ERROR -> outcome(e.run());
      default -> out.println(e.type() + " " + d);
    }
    out.flush();
  }

  /** The outcome line, then the result (or the error). */
  void outcome(Run run) {
    endBar();
    out.println(run.status() + (run.durationMs() == null ? "" : " in " + run.durationMs() + " ms")
        + " (run " + run.runId() + ", " + run.attempts() + " attempt"
        + (run.attempts() == 1 ? "" : "s") + ")");
    if (run.result() != null) {
      out.println(run.result());
    } else if (run.error() != null) {
      out.println(run.error().code() + ": " + run.error().message());
    }
    out.flush();
  }

  private void endBar() {
    if (barShown) {
      out.println();
      barShown = false;
    }
  }
}
