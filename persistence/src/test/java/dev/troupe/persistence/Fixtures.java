package dev.troupe.persistence;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.troupe.api.ErrorCode;
import dev.troupe.api.RunError;
import dev.troupe.api.RunStatus;
import java.time.Instant;
import java.util.List;

/** Events and states of the tests: fixed ids and times, so that results are exact. */
final class Fixtures {
  static final Instant T0 = Instant.parse("2026-11-23T10:00:00Z");
  private static final ObjectMapper MAPPER = new ObjectMapper();
  static final WorkerState.Limits LIMITS = new WorkerState.Limits(100, 100);

  private Fixtures() {}

  /** A valid run id of {@code send-email}: ULID characters only (no I, L, O, U). */
  static String id(int n) {
    return String.format("01JD3Q7R8V3K5M9W2X4Y6Z8%03d-send-email", n);
  }

  static Instant at(long millisAfterT0) {
    return T0.plusMillis(millisAfterT0);
  }

  static ObjectNode json(String field, Object value) {
    ObjectNode node = JsonNodeFactory.instance.objectNode();
    node.set(field, MAPPER.valueToTree(value));
    return node;
  }

  static WorkerEvent.RunAccepted accepted(String runId) {
    return accepted(runId, null, 0);
  }

  static WorkerEvent.RunAccepted accepted(String runId, String idempotencyKey, long atMs) {
    return new WorkerEvent.RunAccepted(runId, json("to", runId + "@example.com"), 30_000,
        idempotencyKey, List.of("mail"), at(atMs));
  }

  /** A run accepted at {@code atMs} with the spec {@code spec}. */
  static WorkerEvent.RunAccepted accepted(String runId, long atMs, RunSpec spec) {
    return new WorkerEvent.RunAccepted(runId, json("to", runId + "@example.com"), 30_000,
        null, List.of("mail"), at(atMs), spec);
  }

  /** A run accepted at {@code atMs} that becomes due at {@code dueMs}. */
  static WorkerEvent.RunAccepted scheduled(String runId, long atMs, long dueMs) {
    return accepted(runId, atMs, RunSpec.DEFAULT.withScheduledFor(at(dueMs)));
  }

  static WorkerEvent.RunDue due(String runId, long atMs) {
    return new WorkerEvent.RunDue(runId, at(atMs));
  }

  static WorkerEvent.AttemptStarted started(String runId, int attempt, long epoch, long atMs) {
    return new WorkerEvent.AttemptStarted(runId, attempt, epoch, at(atMs));
  }

  static WorkerEvent.AttemptFailed failed(String runId, int attempt, long atMs) {
    return new WorkerEvent.AttemptFailed(runId, attempt,
        new RunError(ErrorCode.TRANSIENT_ERROR, "attempt " + attempt + " failed"), at(atMs));
  }

  static WorkerEvent.Checkpointed checkpointed(String runId, long epoch, JsonNode data, long atMs) {
    return new WorkerEvent.Checkpointed(runId, epoch, data, at(atMs));
  }

  static WorkerEvent.RunInterrupted interrupted(String runId, long atMs) {
    return new WorkerEvent.RunInterrupted(runId, at(atMs));
  }

  static WorkerEvent.RunFinished finished(String runId, RunStatus status, long atMs) {
    JsonNode result = status == RunStatus.SUCCEEDED ? json("done", runId) : null;
    RunError error = switch (status) {
      case FAILED -> new RunError(ErrorCode.PERMANENT_ERROR, "bad input");
      case TIMED_OUT -> new RunError(ErrorCode.TIMEOUT, "timed out after 30000 ms");
      case CANCELLED -> new RunError(ErrorCode.CANCELLED, "cancelled by a caller");
      default -> null;
    };
    return new WorkerEvent.RunFinished(runId, status, result, error, at(atMs));
  }

  static WorkerEvent.RunStreamed streamed(String runId, long seq, String type, JsonNode data,
      long atMs) {
    return new WorkerEvent.RunStreamed(runId, seq, type, data, at(atMs));
  }

  static WorkerEvent.StreamReserved reserved(String runId, long upTo, long atMs) {
    return new WorkerEvent.StreamReserved(runId, upTo, at(atMs));
  }

  /** Folds {@code events} into {@code state}, one by one. */
  static WorkerState fold(WorkerState state, WorkerState.Limits limits, WorkerEvent... events) {
    WorkerState s = state;
    for (WorkerEvent e : events) {
      s = s.apply(e, limits);
    }
    return s;
  }

  static WorkerState fold(WorkerEvent... events) {
    return fold(WorkerState.empty(), LIMITS, events);
  }

  /**
   * A state with something of everything: a running run with a checkpoint, a run waiting for its
   * retry, two queued runs (one interrupted, so first in line), finished runs of every kind, and
   * idempotency keys on active and finished runs.
   */
  static WorkerState richState() {
    return fold(
        accepted(id(1), "key-1", 0),
        accepted(id(2), null, 1),
        accepted(id(3), "key-3", 2),
        accepted(id(4), null, 3),
        accepted(id(5), "key-5", 4),
        accepted(id(6), null, 5),
        accepted(id(7), null, 6),
        scheduled(id(10), 7, 90_000),
        scheduled(id(11), 8, 80_000),
        started(id(1), 1, 1, 10),
        checkpointed(id(1), 1, json("done", 3), 15),
        started(id(2), 1, 2, 11),
        failed(id(2), 1, 20),
        started(id(5), 1, 3, 12),
        finished(id(5), RunStatus.SUCCEEDED, 112),
        started(id(6), 1, 4, 13),
        finished(id(6), RunStatus.FAILED, 63),
        finished(id(7), RunStatus.CANCELLED, 70),
        started(id(3), 1, 5, 30),
        interrupted(id(3), 40));
  }
}
