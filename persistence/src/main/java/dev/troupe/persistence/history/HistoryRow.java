package dev.troupe.persistence.history;

import static dev.troupe.persistence.history.SqlValues.instant;
import static dev.troupe.persistence.history.SqlValues.json;
import static dev.troupe.persistence.history.SqlValues.setLong;
import static dev.troupe.persistence.history.SqlValues.utc;

import dev.troupe.api.ErrorCode;
import dev.troupe.api.RunError;
import dev.troupe.api.RunStatus;
import dev.troupe.persistence.RunIds;
import dev.troupe.persistence.RunRecord;
import dev.troupe.persistence.RunSpec;
import dev.troupe.persistence.WorkerEvent;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * One row of {@code troupe_runs} while a batch of journal entries is folded into it: the run's
 * record, changed by {@link RunRecord#next} as in its entity, and what the batch adds to its
 * stream. Mutable, and confined to the batch's thread.
 */
final class HistoryRow {
  /**
   * What folding needs of an existing row: the columns that an update writes, but the duration
   * (NULL until the run finishes, and a finished row is never updated) and the result (the same).
   */
  static final String STATE_COLUMNS = "\"run_id\", \"status\", \"attempts\","
      + " \"started_at\", \"finished_at\", \"error_code\", \"error_message\","
      + " \"last_seq_nr\", \"stream_events\", \"error_label\"";
  static final String INSERT = "INSERT INTO \"troupe_runs\" (\"run_id\", \"worker\","
      + " \"entity_id\", \"status\", \"attempts\", \"created_at\", \"started_at\", \"finished_at\","
      + " \"duration_ms\", \"payload\", \"result\", \"error_code\", \"error_message\", \"tags\","
      + " \"last_seq_nr\", \"stream_events\", \"error_label\", \"spec\", \"parent_run_id\","
      + " \"rerun_of\") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
  // never over a row that a later entry already changed (another writer of the same history)
  static final String UPDATE = "UPDATE \"troupe_runs\" SET \"status\" = ?,"
      + " \"attempts\" = ?, \"started_at\" = ?, \"finished_at\" = ?, \"duration_ms\" = ?,"
      + " \"result\" = ?, \"error_code\" = ?, \"error_message\" = ?, \"last_seq_nr\" = ?,"
      + " \"stream_events\" = ?, \"error_label\" = ? WHERE \"run_id\" = ? AND \"last_seq_nr\" < ?";

  /**
   * The run as far as the history keeps it. Of an existing row only what an update writes is
   * read: no payload, tags, creation time, checkpoint or stream number.
   */
  private RunRecord run;
  /** The entity that owns the run; null for an existing row (an update does not write it). */
  private final String entityId;
  long lastSeqNr;
  final boolean isNew;
  boolean dirty;
  /** Emitted stream events (messages, logs) of the run in this batch, for troupe_run_events. */
  final List<WorkerEvent.RunStreamed> streamed = new ArrayList<>();
  /** The run's own stream events (status changes, the end) kept in its row before this batch. */
  private String ownEvents;
  /** and those of this batch. */
  private final List<WorkerEvent.RunStreamed> newOwnEvents = new ArrayList<>();

  private HistoryRow(RunRecord run, String entityId, long lastSeqNr, boolean isNew) {
    this.run = run;
    this.entityId = entityId;
    this.lastSeqNr = lastSeqNr;
    this.isNew = isNew;
  }

  /** The new row of a run accepted by entry {@code seqNr} of entity {@code entityId}. */
  static HistoryRow accepted(WorkerEvent.RunAccepted a, String entityId, long seqNr) {
    return new HistoryRow(RunRecord.accepted(a), entityId, seqNr, true);
  }

  String runId() {
    return run.runId();
  }

  /**
   * Applies {@code e}, of journal entry {@code seqNr}: the run's record changes as in its entity;
   * checkpoints and stream reservations are not part of the history, nor are recorded steps
   * (the history has them from their {@code step} stream events), nor a cancel or a failure
   * waiting for them.
   * Nothing changes a finished run.
   */
  void apply(WorkerEvent e, long seqNr) {
    if (run.status().isTerminal() || e instanceof WorkerEvent.Checkpointed
        || e instanceof WorkerEvent.StreamReserved || e instanceof WorkerEvent.StepRecorded
        || e instanceof WorkerEvent.CancelRequested
        || e instanceof WorkerEvent.FailureCompensationRequested) {
      return;
    }
    if (e instanceof WorkerEvent.RunStreamed st) {
      // the terminal one comes before its RunFinished
      (StreamEventsJson.isOwnEvent(st.eventType()) ? newOwnEvents : streamed).add(st);
    } else {
      RunRecord next = run.next(e);
      if (next == run) {
        return; // an interruption of a queued run
      }
      run = next;
    }
    lastSeqNr = Math.max(lastSeqNr, seqNr);
    dirty = true;
  }

  void bindInsert(PreparedStatement ps) throws SQLException {
    ps.setString(1, run.runId());
    ps.setString(2, RunIds.workerOf(entityId));
    ps.setString(3, entityId);
    ps.setString(4, run.status().name());
    ps.setInt(5, run.attempts());
    ps.setObject(6, utc(run.createdAt()));
    ps.setObject(7, utc(run.startedAt()));
    ps.setObject(8, utc(run.finishedAt()));
    setLong(ps, 9, run.durationMs());
    ps.setString(10, json(run.payload()));
    ps.setString(11, json(run.result()));
    setError(ps, 12, run.error());
    ps.setString(14, json(run.tags()));
    ps.setLong(15, lastSeqNr);
    ps.setString(16, ownEventsColumn());
    ps.setString(17, label(run.error()));
    ps.setString(18, RunSpec.DEFAULT.equals(run.spec()) ? null : json(run.spec()));
    ps.setString(19, run.spec().parentRunId());
    ps.setString(20, run.spec().rerunOf());
  }

  void bindUpdate(PreparedStatement ps) throws SQLException {
    ps.setString(1, run.status().name());
    ps.setInt(2, run.attempts());
    ps.setObject(3, utc(run.startedAt()));
    ps.setObject(4, utc(run.finishedAt()));
    setLong(ps, 5, run.durationMs());
    ps.setString(6, json(run.result()));
    setError(ps, 7, run.error());
    ps.setLong(9, lastSeqNr);
    ps.setString(10, ownEventsColumn());
    ps.setString(11, label(run.error()));
    ps.setString(12, run.runId());
    ps.setLong(13, lastSeqNr);
  }

  private static void setError(PreparedStatement ps, int i, RunError error) throws SQLException {
    ps.setString(i, error == null ? null : error.code().name());
    ps.setString(i + 1, error == null ? null : error.message());
  }

  private static String label(RunError error) {
    return error == null ? null : error.label();
  }

  /** An existing row, from a result set of {@link #STATE_COLUMNS}. */
  static HistoryRow readState(ResultSet rs) throws SQLException {
    String code = rs.getString("error_code");
    RunError error = code == null ? null
        : new RunError(ErrorCode.valueOf(code), rs.getString("error_message"),
            rs.getString("error_label"));
    RunRecord run = new RunRecord(rs.getString("run_id"), RunStatus.valueOf(rs.getString("status")),
        rs.getInt("attempts"), 0, null, 0, null, null, null, instant(rs, "started_at"),
        instant(rs, "finished_at"), null, error, null, 0, null, null, false, false, null);
    HistoryRow row = new HistoryRow(run, null, rs.getLong("last_seq_nr"), false);
    row.ownEvents = rs.getString("stream_events");
    return row;
  }

  /** The stream_events column: the JSON array kept so far with this batch's own events added. */
  private String ownEventsColumn() {
    return newOwnEvents.isEmpty() ? ownEvents : StreamEventsJson.append(ownEvents, newOwnEvents);
  }
}
