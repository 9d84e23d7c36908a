package dev.troupe.persistence;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.function.Consumer;

/** What every reader of a worker entity's journal asks of its events. */
public final class WorkerEvents {
  private WorkerEvents() {}

  /**
   * Hands {@code f} each lifecycle event of {@code event} in journal order: the event itself, or
   * those of a {@link WorkerEvent.Recorded} batch (at any depth).
   */
  public static void forEach(WorkerEvent event, Consumer<WorkerEvent> f) {
    if (event instanceof WorkerEvent.Recorded r) {
      r.events().forEach(inner -> forEach(inner, f));
    } else {
      f.accept(event);
    }
  }

  /**
   * The run that {@code event} belongs to.
   *
   * @throws ClassCastException for a {@link WorkerEvent.Recorded} batch, which belongs to none
   */
  public static String runIdOf(WorkerEvent event) {
    if (event instanceof WorkerEvent.RunAccepted a) {
      return a.runId();
    } else if (event instanceof WorkerEvent.RunDue d) {
      return d.runId();
    } else if (event instanceof WorkerEvent.AttemptStarted s) {
      return s.runId();
    } else if (event instanceof WorkerEvent.AttemptFailed f) {
      return f.runId();
    } else if (event instanceof WorkerEvent.Checkpointed c) {
      return c.runId();
    } else if (event instanceof WorkerEvent.RunInterrupted i) {
      return i.runId();
    } else if (event instanceof WorkerEvent.AttemptHandedOver h) {
      return h.runId();
    } else if (event instanceof WorkerEvent.RunStreamed st) {
      return st.runId();
    } else if (event instanceof WorkerEvent.StreamReserved sr) {
      return sr.runId();
    } else if (event instanceof WorkerEvent.DependenciesMet m) {
      return m.runId();
    } else if (event instanceof WorkerEvent.StepRecorded st) {
      return st.runId();
    } else if (event instanceof WorkerEvent.CancelRequested c) {
      return c.runId();
    } else if (event instanceof WorkerEvent.FailureCompensationRequested f) {
      return f.runId();
    } else {
      return ((WorkerEvent.RunFinished) event).runId();
    }
  }

  /**
   * The run {@code event} is about, to name it in a log or a table: that of the first event of a
   * {@code Recorded} batch; null for an event of no one run.
   */
  public static String runIdOrNull(WorkerEvent event) {
    if (event instanceof WorkerEvent.Recorded r) {
      return r.events().isEmpty() ? null : runIdOrNull(r.events().get(0));
    }
    try {
      return runIdOf(event);
    } catch (ClassCastException notOfARun) {
      return null;
    }
  }

  /**
   * The bytes of run data that {@code event} carries (payloads, results, checkpoints, stream
   * events and step results, as compact JSON), plus {@value #EVENT_BYTES} for each lifecycle
   * event: what holding it, and writing it into the run history, takes beyond its fixed fields.
   */
  public static long dataBytes(WorkerEvent event) {
    long[] bytes = {0};
    forEach(event, e -> bytes[0] += EVENT_BYTES + JsonBytes.of(dataOf(e)));
    return bytes[0];
  }

  /** A lifecycle event's own fields, in bytes, roughly: ids, times, numbers. */
  private static final long EVENT_BYTES = 100;

  private static JsonNode dataOf(WorkerEvent e) {
    if (e instanceof WorkerEvent.RunAccepted a) {
      return a.payload();
    } else if (e instanceof WorkerEvent.RunFinished f) {
      return f.result();
    } else if (e instanceof WorkerEvent.Checkpointed c) {
      return c.data();
    } else if (e instanceof WorkerEvent.RunStreamed s) {
      return s.data();
    } else if (e instanceof WorkerEvent.StepRecorded s) {
      return s.step().result();
    }
    return null;
  }
}
