package dev.troupe.persistence.history;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import dev.troupe.api.RunEvent;
import dev.troupe.api.RunStep;
import dev.troupe.api.StepStatus;
import dev.troupe.persistence.WorkerEvent;
import java.io.IOException;
import java.io.StringWriter;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The stored form of a run's stream events: a JSON array of {@code {"seq", "type", "data", "at"}}
 * ({@code at} in epoch milliseconds), in the run's {@code stream_events} column and in each row of
 * {@code troupe_run_events}.
 */
final class StreamEventsJson {
  private StreamEventsJson() {}

  /**
   * Whether a stream event is one the run's entity makes (a status change, the end), kept in the
   * run's row (a handful per attempt, written with the row's own changes), rather than one its
   * handler emitted (any number: rows of troupe_run_events).
   */
  static boolean isOwnEvent(String type) {
    return RunEvent.STATUS.equals(type) || RunEvent.RESULT.equals(type)
        || RunEvent.ERROR.equals(type) || RunEvent.STEP.equals(type);
  }

  /**
   * The run's steps as its stored {@code step} events leave them: each step as its last event
   * but {@code STARTED} says, in the order the steps first ended. Empty without step events.
   */
  static List<RunStep> steps(String json) {
    if (json == null || !json.contains("\"" + RunEvent.STEP + "\"")) {
      return List.of();
    }
    Map<String, RunStep> steps = new LinkedHashMap<>();
    for (JsonNode e : SqlValues.tree(json)) {
      JsonNode data = e.get("data");
      if (RunEvent.STEP.equals(e.get("type").asText()) && data != null
          && !"STARTED".equals(data.path("status").asText())) {
        try {
          JsonNode c = data.path("compensation");
          RunStep step = new RunStep(data.get("name").asText(), status(data.get("status")),
              c.isObject() ? new RunStep.CompensationState(c.get("name").asText(),
                  status(c.get("status"))) : null);
          steps.put(step.name(), step);
        } catch (NullPointerException | IllegalArgumentException malformed) {
          throw new IllegalStateException("troupe_runs holds a malformed step event: " + data,
              malformed);
        }
      }
    }
    return List.copyOf(steps.values());
  }

  private static StepStatus status(JsonNode n) {
    return n == null || n.isNull() ? null : StepStatus.valueOf(n.asText());
  }

  /** {@code events} (in order) cut where their sequence numbers are not consecutive. */
  static List<List<WorkerEvent.RunStreamed>> consecutive(List<WorkerEvent.RunStreamed> events) {
    List<List<WorkerEvent.RunStreamed>> out = new ArrayList<>();
    List<WorkerEvent.RunStreamed> current = new ArrayList<>();
    for (WorkerEvent.RunStreamed e : events) {
      if (!current.isEmpty() && e.seq() != current.get(current.size() - 1).seq() + 1) {
        out.add(current);
        current = new ArrayList<>();
      }
      current.add(e);
    }
    if (!current.isEmpty()) {
      out.add(current);
    }
    return out;
  }

  /** {@code events} as a stored array, written directly. */
  static String write(List<WorkerEvent.RunStreamed> events) {
    StringWriter out = new StringWriter(64 * events.size());
    try (JsonGenerator g = SqlValues.MAPPER.getFactory().createGenerator(out)) {
      g.writeStartArray();
      for (WorkerEvent.RunStreamed e : events) {
        g.writeStartObject();
        g.writeNumberField("seq", e.seq());
        g.writeStringField("type", e.eventType());
        g.writeFieldName("data");
        if (e.data() == null) {
          g.writeNull();
        } else {
          g.writeTree(e.data());
        }
        g.writeNumberField("at", e.at().toEpochMilli());
        g.writeEndObject();
      }
      g.writeEndArray();
    } catch (IOException e) {
      throw new IllegalStateException("cannot write stream events as JSON: " + e.getMessage(), e);
    }
    return out.toString();
  }

  /** Stored array {@code stored} (null: none yet) with {@code added} appended after its end. */
  static String append(String stored, List<WorkerEvent.RunStreamed> added) {
    String json = write(added);
    return stored == null ? json
        : stored.substring(0, stored.lastIndexOf(']')) + "," + json.substring(1);
  }

  /** Adds the events of stored array {@code json} in {@code (afterSeq, toSeq]} to {@code out}. */
  static void read(String json, long afterSeq, long toSeq, List<RunEvent> out) {
    if (json == null) {
      return;
    }
    for (JsonNode e : SqlValues.tree(json)) {
      long seq = e.get("seq").asLong();
      if (seq > afterSeq && seq <= toSeq) {
        JsonNode data = e.get("data");
        out.add(new RunEvent(seq, e.get("type").asText(), data == null || data.isNull() ? null
            : data, Instant.ofEpochMilli(e.get("at").asLong())));
      }
    }
  }
}
