package dev.troupe.persistence.history;

import static dev.troupe.persistence.history.SqlValues.instant;
import static dev.troupe.persistence.history.SqlValues.tree;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import dev.troupe.api.ErrorCode;
import dev.troupe.api.RunError;
import dev.troupe.api.RunEvent;
import dev.troupe.api.RunPage;
import dev.troupe.api.RunQuery;
import dev.troupe.api.RunResult;
import dev.troupe.api.RunStatus;
import dev.troupe.persistence.RunSpec;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/** The run history's reads, each one statement or two on a connection of the caller's. */
final class HistoryQueries {
  private static final TypeReference<List<String>> STRINGS = new TypeReference<>() {};
  private static final String COLUMNS = "\"run_id\", \"worker\", \"entity_id\", \"status\","
      + " \"attempts\", \"created_at\", \"started_at\", \"finished_at\", \"duration_ms\","
      + " \"payload\", \"result\", \"error_code\", \"error_message\", \"error_label\", \"tags\","
      + " \"last_seq_nr\", \"spec\", \"stream_events\"";

  private HistoryQueries() {}

  static long offset(Connection c, String projection) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT \"offset_value\" FROM"
        + " \"troupe_projection_offsets\" WHERE \"projection_name\" = ?")) {
      ps.setString(1, projection);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? rs.getLong(1) : 0L;
      }
    }
  }

  /**
   * Status changes and the end from the run's row ({@code stream_events}), emitted events from
   * {@code troupe_run_events} (rows written before troupe_runs had that column hold status changes
   * too), merged in order.
   */
  static List<RunEvent> events(Connection c, String runId, long afterSeq, long toSeq, int limit)
      throws SQLException {
    List<RunEvent> out = new ArrayList<>();
    try (PreparedStatement ps = c.prepareStatement("SELECT \"stream_events\" FROM"
        + " \"troupe_runs\" WHERE \"run_id\" = ?")) {
      ps.setString(1, runId);
      try (ResultSet rs = ps.executeQuery()) {
        if (rs.next()) {
          StreamEventsJson.read(rs.getString(1), afterSeq, toSeq, out);
        }
      }
    }
    try (PreparedStatement ps = c.prepareStatement("SELECT \"events\" FROM \"troupe_run_events\""
        + " WHERE \"run_id\" = ? AND \"last_seq\" > ? AND \"first_seq\" <= ?"
        + " ORDER BY \"first_seq\" LIMIT ?")) {
      ps.setString(1, runId);
      ps.setLong(2, afterSeq);
      ps.setLong(3, toSeq);
      ps.setInt(4, limit); // each row holds one event at least
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          StreamEventsJson.read(rs.getString(1), afterSeq, toSeq, out);
        }
      }
    }
    out.sort(Comparator.comparingLong(RunEvent::seq));
    return out.size() > limit ? List.copyOf(out.subList(0, limit)) : out;
  }

  static Optional<RunResult> find(Connection c, String runId) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS
        + " FROM \"troupe_runs\" WHERE \"run_id\" = ?")) {
      ps.setString(1, runId);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? Optional.of(result(rs)) : Optional.empty();
      }
    }
  }

  /**
   * One page of {@code query}, newest first. A tag is matched in SQL on the tags' JSON text, then
   * exactly on the parsed tags (a tag holding quotes could match inside another one's text): rows
   * the SQL let through wrongly are skipped, and the scan goes on until the page is full.
   *
   * @param after where the previous page ended, or null for the first page
   */
  static RunPage page(Connection c, RunQuery query, PageCursor after) throws SQLException {
    List<RunResult> runs = new ArrayList<>();
    PageCursor from = after;
    while (true) {
      int wanted = query.limit() + 1 - runs.size();
      List<RunResult> scanned = scan(c, query, from, wanted);
      scanned.stream().filter(query::tagAndTimeMatch).forEach(runs::add);
      if (runs.size() > query.limit() || scanned.size() < wanted) {
        break;
      }
      from = PageCursor.after(scanned.get(scanned.size() - 1));
    }
    if (runs.size() <= query.limit()) {
      return new RunPage(runs, null);
    }
    List<RunResult> page = runs.subList(0, query.limit());
    return new RunPage(List.copyOf(page), PageCursor.after(page.get(page.size() - 1)).encode());
  }

  /** At most {@code n} rows of {@code query} after {@code after}, the tag matched loosely. */
  private static List<RunResult> scan(Connection c, RunQuery query, PageCursor after, int n)
      throws SQLException {
    StringBuilder sql = new StringBuilder("SELECT ").append(COLUMNS)
        .append(" FROM \"troupe_runs\" WHERE 1 = 1");
    List<Object> args = new ArrayList<>();
    if (query.worker() != null) {
      sql.append(" AND \"worker\" = ?");
      args.add(query.worker());
    }
    if (query.status() != null) {
      sql.append(" AND \"status\" = ?");
      args.add(query.status().name());
    }
    if (query.parent() != null) {
      sql.append(" AND \"parent_run_id\" = ?");
      args.add(query.parent());
    }
    if (query.tag() != null) {
      sql.append(" AND \"tags\" LIKE ? ESCAPE '!'");
      args.add("%" + likeLiteral(SqlValues.json(query.tag())) + "%");
    }
    if (query.createdFrom() != null) {
      sql.append(" AND \"created_at\" >= ?");
      args.add(SqlValues.utc(query.createdFrom()));
    }
    if (query.createdBefore() != null) {
      sql.append(" AND \"created_at\" < ?");
      args.add(SqlValues.utc(query.createdBefore()));
    }
    if (after != null) {
      LocalDateTime at = SqlValues.utc(Instant.ofEpochMilli(after.createdAtMillis()));
      sql.append(" AND (\"created_at\" < ? OR (\"created_at\" = ? AND \"run_id\" < ?))");
      args.add(at);
      args.add(at);
      args.add(after.runId());
    }
    sql.append(" ORDER BY \"created_at\" DESC, \"run_id\" DESC LIMIT ?");
    args.add(n);
    try (PreparedStatement ps = c.prepareStatement(sql.toString())) {
      for (int i = 0; i < args.size(); i++) {
        ps.setObject(i + 1, args.get(i));
      }
      List<RunResult> runs = new ArrayList<>();
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          runs.add(result(rs));
        }
      }
      return runs;
    }
  }

  /** {@code text} as a LIKE pattern that matches it literally, with {@code !} as escape. */
  private static String likeLiteral(String text) {
    return text.replace("!", "!!").replace("%", "!%").replace("_", "!_");
  }

  /**
   * The run of the current row of a result set of {@link #COLUMNS}, as {@code
   * RunRecord#toResult} shows it: the error only once the run has finished.
   */
  private static RunResult result(ResultSet rs) throws SQLException {
    String tags = rs.getString("tags");
    List<String> tagList;
    try {
      tagList = tags == null ? List.of() : SqlValues.MAPPER.readValue(tags, STRINGS);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("troupe_runs holds malformed tags: " + tags, e);
    }
    RunStatus status = RunStatus.valueOf(rs.getString("status"));
    long d = rs.getLong("duration_ms");
    Long durationMs = rs.wasNull() ? null : d;
    String code = rs.getString("error_code");
    RunError error = code == null ? null
        : new RunError(ErrorCode.valueOf(code), rs.getString("error_message"),
            rs.getString("error_label"));
    RunSpec spec = spec(rs.getString("spec"));
    return new RunResult(rs.getString("run_id"), rs.getString("worker"), status,
        rs.getInt("attempts"), instant(rs, "created_at"), instant(rs, "started_at"),
        instant(rs, "finished_at"), durationMs, tree(rs.getString("payload")),
        tree(rs.getString("result")), status.isTerminal() ? error : null, tagList,
        spec.priority(), spec.concurrencyKey(), spec.scheduledFor(), spec.schedule(),
        spec.rerunOf(), spec.parentRunId(), List.of(),
        StreamEventsJson.steps(rs.getString("stream_events")), List.of(), spec.traceId());
  }

  private static RunSpec spec(String json) {
    try {
      return json == null ? RunSpec.DEFAULT : SqlValues.MAPPER.readValue(json, RunSpec.class);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("troupe_runs holds a malformed spec: " + json, e);
    }
  }
}
