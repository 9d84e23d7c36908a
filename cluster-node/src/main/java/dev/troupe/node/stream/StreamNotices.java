package dev.troupe.node.stream;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.troupe.api.RunEvent;
import dev.troupe.api.RunResult;
import dev.troupe.persistence.RunClock;
import java.util.List;

/** The status events that stand in a run's stream for events a reader cannot be given. */
public final class StreamNotices {
  private StreamNotices() {}

  /**
   * The {@code status} event that stands for events {@code from} to {@code to} (its {@code seq}),
   * which a subscriber asked for and this node does not hold: {@code "gap": {"from", "to"}}, and
   * {@code "stored": true} when the run's stream is durable, so they are in the run history's
   * {@code troupe_run_events} (the facade reads them there and never passes this notice on,
   * unless the history cannot give them).
   */
  public static RunEvent gap(ObjectMapper mapper, long from, long to, boolean stored) {
    ObjectNode gap = mapper.createObjectNode();
    gap.putObject("gap").put("from", from).put("to", to);
    gap.put("stored", stored);
    gap.put("message", stored
        ? "events " + from + " to " + to + " are no longer in memory on the run's node"
        : "events " + from + " to " + to + " are not kept: the run's stream is not durable, and"
            + " they left the replay buffer or were lost with a node that ran the run");
    return new RunEvent(to, RunEvent.STATUS, gap, RunClock.now());
  }

  /** Whether {@code e} is a gap notice of events that the run history keeps. */
  public static boolean isStoredGap(RunEvent e) {
    return e.seq() > 0 && RunEvent.STATUS.equals(e.type()) && e.data() != null
        && e.data().path("stored").asBoolean(false) && e.data().path("gap").isObject();
  }

  /**
   * The stream of a finished run whose events are not kept: a gap notice ({@code "gap": true}
   * with {@code message}) and its outcome, both with sequence number 0.
   */
  public static List<RunEvent> outcomeOnly(ObjectMapper mapper, RunResult run, String message) {
    ObjectNode gap = mapper.createObjectNode();
    gap.put("gap", true).put("message", message);
    return List.of(new RunEvent(0, RunEvent.STATUS, gap, RunClock.now()),
        new RunEvent(0, run.error() == null ? RunEvent.RESULT : RunEvent.ERROR,
            mapper.valueToTree(run), RunClock.now()));
  }
}
