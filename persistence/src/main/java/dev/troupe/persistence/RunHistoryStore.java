package dev.troupe.persistence;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.troupe.api.ErrorCode;
import dev.troupe.api.InvalidArgumentException;
import dev.troupe.api.RunError;
import dev.troupe.api.RunEvent;
import dev.troupe.api.RunPage;
import dev.troupe.api.RunQuery;
import dev.troupe.api.RunResult;
import dev.troupe.api.RunStatus;
import java.io.IOException;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The run history's tables {@code troupe_runs} and {@code troupe_run_events} (the durable streams
 * of runs) and the projection offsets, over plain JDBC (H2 and PostgreSQL alike: quoted lower-case
 * names, JSON kept as text, times as UTC {@code TIMESTAMP(3)}).
 *
 * <p>{@link #applyAll} folds journal entries into rows, the way {@link WorkerState} folds them into
 * its {@link RunRecord}s, and stores the projection's offset in the same transaction. It is
 * idempotent: each row remembers the sequence number of the last journal entry of its entity that
 * changed it, and an entry at or below it is skipped, so a replay (the projection is at-least-once)
 * leaves the rows as they are. Blocking: call it off actor threads.
 */
public final class RunHistoryStore implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(RunHistoryStore.class);
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final TypeReference<List<String>> STRINGS = new TypeReference<>() {};
  private static final int IN_CHUNK = 100;

  private static final String COLUMNS = "\"run_id\", \"worker\", \"entity_id\", \"status\","
      + " \"attempts\", \"created_at\", \"started_at\", \"finished_at\", \"duration_ms\","
      + " \"payload\", \"result\", \"error_code\", \"error_message\", \"tags\", \"last_seq_nr\"";
  /** What folding needs of an existing row: the columns that an update writes. */
  private static final String STATE_COLUMNS = "\"run_id\", \"status\", \"attempts\","
      + " \"started_at\", \"finished_at\", \"duration_ms\", \"error_code\", \"error_message\","
      + " \"last_seq_nr\", \"stream_events\"";
  private static final String INSERT = "INSERT INTO \"troupe_runs\" (" + COLUMNS
      + ", \"stream_events\") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
  // never over a row that a later entry already changed (another writer of the same history)
  private static final String UPDATE = "UPDATE \"troupe_runs\" SET \"status\" = ?,"
      + " \"attempts\" = ?, \"started_at\" = ?, \"finished_at\" = ?, \"duration_ms\" = ?,"
      + " \"result\" = ?, \"error_code\" = ?, \"error_message\" = ?, \"last_seq_nr\" = ?,"
      + " \"stream_events\" = ? WHERE \"run_id\" = ? AND \"last_seq_nr\" < ?";

  private static final String INSERT_EVENTS = "INSERT INTO \"troupe_run_events\" (\"run_id\","
      + " \"first_seq\", \"last_seq\", \"events\") VALUES (?, ?, ?, ?)";

  /** One journal entry of a worker entity, as the read journal delivers it. */
  public record Entry(String persistenceId, long sequenceNr, WorkerEvent event) {}

  /** The store could not read or write the database; the message says which statement failed. */
  public static final class StoreException extends RuntimeException {
    StoreException(String message, Throwable cause) {
      super(message, cause);
    }
  }

  private final DataSource dataSource;
  private final AutoCloseable owned;

  /** A store over {@code dataSource}, which the caller keeps and closes. */
  public RunHistoryStore(DataSource dataSource) {
    this(dataSource, null);
  }

  private RunHistoryStore(DataSource dataSource, AutoCloseable owned) {
    this.dataSource = dataSource;
    this.owned = owned;
  }

  /**
   * A store with its own small connection pool on {@code db}; {@link #close()} closes the pool. The
   * schema must be migrated ({@link SchemaMigrator}) first.
   */
  public static RunHistoryStore open(DatabaseSettings db, int poolSize) {
    HikariConfig c = new HikariConfig();
    c.setPoolName("troupe-run-history");
    c.setJdbcUrl(db.url());
    c.setUsername(db.user());
    c.setPassword(db.password());
    c.setDriverClassName(db.kind() == DatabaseSettings.Kind.H2
        ? "org.h2.Driver" : "org.postgresql.Driver");
    if (db.kind() == DatabaseSettings.Kind.POSTGRESQL) {
      // plan every statement for its parameters and the table's current size: a generic plan
      // cached while troupe_runs was small (a sequential scan) would otherwise stay until the
      // next ANALYZE, and every batch's lookups would scan the whole table
      c.setConnectionInitSql("SET plan_cache_mode = force_custom_plan");
    }
    c.setMaximumPoolSize(poolSize);
    c.setMinimumIdle(1);
    c.setConnectionTimeout(5_000);
    // the database may come up after the node: the first statement waits for it, not the start
    c.setInitializationFailTimeout(-1);
    HikariDataSource ds = new HikariDataSource(c);
    return new RunHistoryStore(ds, ds);
  }

  @Override
  public void close() {
    if (owned != null) {
      try {
        owned.close();
      } catch (Exception e) {
        log.warn("closing the run history's connection pool failed", e);
      }
    }
  }

  // writing

  /**
   * Folds {@code entries} (in journal order) into {@code troupe_runs} and stores {@code newOffset}
   * as the offset of {@code projection}, all in one transaction.
   *
   * <p>First optimistically: the runs accepted in these entries are taken to have no row yet, so
   * only the rows of older runs are read. If that fails (a replay finds such a row: a unique
   * violation), the transaction is rolled back and done again reading every row.
   */
  public void applyAll(String projection, List<Entry> entries, long newOffset) {
    try (Connection c = dataSource.getConnection()) {
      c.setAutoCommit(false);
      try {
        apply(c, projection, entries, newOffset, false);
      } catch (SQLException | RuntimeException first) {
        rollback(c, first);
        log.debug("run history batch retried reading every row: {}", first.toString());
        try {
          apply(c, projection, entries, newOffset, true);
        } catch (SQLException | RuntimeException e) {
          rollback(c, e);
          throw e;
        }
      }
    } catch (SQLException e) {
      throw new StoreException("writing " + entries.size() + " journal entries to troupe_runs"
          + " failed: " + e.getMessage(), e);
    }
  }

  private void apply(Connection c, String projection, List<Entry> entries, long newOffset,
      boolean readAll) throws SQLException {
    Map<String, Row> rows = load(c, runIdsOf(entries, readAll));
    fold(rows, entries);
    write(c, rows.values());
    storeOffset(c, projection, newOffset);
    c.commit();
  }

  private static void rollback(Connection c, Exception e) {
    try {
      c.rollback();
    } catch (SQLException r) {
      e.addSuppressed(r);
    }
  }

  /** The runs of {@code entries}; without {@code all}, not those accepted in them. */
  private static Set<String> runIdsOf(List<Entry> entries, boolean all) {
    Set<String> ids = new LinkedHashSet<>();
    Set<String> accepted = new HashSet<>();
    for (Entry e : entries) {
      forEachEvent(e.event(), ev -> {
        if (!all && ev instanceof WorkerEvent.RunAccepted a) {
          accepted.add(a.runId());
        } else if (!accepted.contains(runIdOf(ev))) {
          ids.add(runIdOf(ev));
        }
      });
    }
    return ids;
  }

  private static void forEachEvent(WorkerEvent event, java.util.function.Consumer<WorkerEvent> f) {
    if (event instanceof WorkerEvent.Recorded r) {
      r.events().forEach(inner -> forEachEvent(inner, f));
    } else {
      f.accept(event);
    }
  }

  private static String runIdOf(WorkerEvent e) {
    if (e instanceof WorkerEvent.RunAccepted a) {
      return a.runId();
    } else if (e instanceof WorkerEvent.AttemptStarted s) {
      return s.runId();
    } else if (e instanceof WorkerEvent.AttemptFailed f) {
      return f.runId();
    } else if (e instanceof WorkerEvent.Checkpointed c) {
      return c.runId();
    } else if (e instanceof WorkerEvent.RunInterrupted i) {
      return i.runId();
    } else if (e instanceof WorkerEvent.RunStreamed st) {
      return st.runId();
    } else if (e instanceof WorkerEvent.StreamReserved sr) {
      return sr.runId();
    } else {
      return ((WorkerEvent.RunFinished) e).runId();
    }
  }

  /**
   * Whether a stream event is one the run's entity makes (a status change, the end), kept in the
   * run's row (a handful per attempt, written with the row's own changes), rather than one its
   * handler emitted (any number: rows of troupe_run_events).
   */
  private static boolean isOwnEvent(String type) {
    return RunEvent.STATUS.equals(type) || RunEvent.RESULT.equals(type)
        || RunEvent.ERROR.equals(type);
  }

  /** The rows of {@code runIds} that exist already. */
  private Map<String, Row> load(Connection c, Set<String> runIds) throws SQLException {
    Map<String, Row> rows = new LinkedHashMap<>();
    List<String> ids = new ArrayList<>(runIds);
    for (int from = 0; from < ids.size(); from += IN_CHUNK) {
      List<String> chunk = ids.subList(from, Math.min(ids.size(), from + IN_CHUNK));
      String sql = "SELECT " + STATE_COLUMNS + " FROM \"troupe_runs\" WHERE \"run_id\" IN ("
          + String.join(", ", java.util.Collections.nCopies(chunk.size(), "?")) + ")";
      try (PreparedStatement ps = c.prepareStatement(sql)) {
        for (int i = 0; i < chunk.size(); i++) {
          ps.setString(i + 1, chunk.get(i));
        }
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            Row r = Row.readState(rs);
            rows.put(r.runId, r);
          }
        }
      }
    }
    return rows;
  }

  private static void fold(Map<String, Row> rows, List<Entry> entries) {
    int unknown = 0;
    for (Entry entry : entries) {
      String entityId = entityIdOf(entry.persistenceId());
      if (entityId == null) {
        log.warn("journal entry of '{}' is tagged {} but is not a worker entity's: ignored",
            entry.persistenceId(), RunHistory.TAG);
        continue;
      }
      // every event of one entry applies, or none (it was applied before: a replay)
      Set<String> touched = new HashSet<>();
      List<WorkerEvent> events = new ArrayList<>();
      forEachEvent(entry.event(), events::add);
      for (WorkerEvent e : events) {
        String runId = runIdOf(e);
        Row row = rows.get(runId);
        if (row != null && !touched.contains(runId) && row.lastSeqNr >= entry.sequenceNr()) {
          continue;
        }
        if (e instanceof WorkerEvent.RunAccepted a) {
          if (row == null) {
            rows.put(runId, Row.accepted(a, entityId, entry.sequenceNr()));
            touched.add(runId);
          }
          continue;
        }
        if (row == null) {
          unknown++; // accepted before its entity tagged its journal: not in the history
          continue;
        }
        touched.add(runId);
        row.apply(e, entry.sequenceNr());
      }
    }
    if (unknown > 0) {
      log.debug("{} events of runs that are not in the run history ignored", unknown);
    }
  }

  /** The entity id of persistence id {@code worker|<entityId>}, or null. */
  static String entityIdOf(String persistenceId) {
    int bar = persistenceId == null ? -1 : persistenceId.indexOf('|');
    return bar < 0 || bar == persistenceId.length() - 1 ? null : persistenceId.substring(bar + 1);
  }

  /**
   * Inserts new rows and updates changed ones, each kind as one JDBC batch, and the runs' new
   * stream events as a third: one row per run and run of consecutive sequence numbers.
   */
  private static void write(Connection c, Iterable<Row> rows) throws SQLException {
    try (PreparedStatement insert = c.prepareStatement(INSERT);
        PreparedStatement update = c.prepareStatement(UPDATE);
        PreparedStatement events = c.prepareStatement(INSERT_EVENTS)) {
      int inserts = 0;
      int updates = 0;
      int chunks = 0;
      for (Row r : rows) {
        for (List<WorkerEvent.RunStreamed> chunk : consecutive(r.streamed)) {
          events.setString(1, r.runId);
          events.setLong(2, chunk.get(0).seq());
          events.setLong(3, chunk.get(chunk.size() - 1).seq());
          events.setString(4, eventsJson(chunk));
          events.addBatch();
          chunks++;
        }
        if (r.isNew) {
          r.bindInsert(insert);
          insert.addBatch();
          inserts++;
        } else if (r.dirty) {
          r.bindUpdate(update);
          update.addBatch();
          updates++;
        }
      }
      if (inserts > 0) {
        insert.executeBatch();
      }
      if (updates > 0) {
        update.executeBatch();
      }
      if (chunks > 0) {
        events.executeBatch();
      }
    }
  }

  /** {@code events} (in order) cut where their sequence numbers are not consecutive. */
  private static List<List<WorkerEvent.RunStreamed>> consecutive(
      List<WorkerEvent.RunStreamed> events) {
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

  /** {@code events} as a JSON array of {@code {"seq", "type", "data", "at"}}, written directly. */
  private static String eventsJson(List<WorkerEvent.RunStreamed> events) {
    StringWriter out = new StringWriter(64 * events.size());
    try (JsonGenerator g = MAPPER.getFactory().createGenerator(out)) {
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

  private static void storeOffset(Connection c, String projection, long offset)
      throws SQLException {
    LocalDateTime now = utc(Instant.now());
    try (PreparedStatement up = c.prepareStatement("UPDATE \"troupe_projection_offsets\""
        + " SET \"offset_value\" = ?, \"updated_at\" = ? WHERE \"projection_name\" = ?")) {
      up.setLong(1, offset);
      up.setObject(2, now);
      up.setString(3, projection);
      if (up.executeUpdate() > 0) {
        return;
      }
    }
    try (PreparedStatement in = c.prepareStatement("INSERT INTO \"troupe_projection_offsets\""
        + " (\"projection_name\", \"offset_value\", \"updated_at\") VALUES (?, ?, ?)")) {
      in.setString(1, projection);
      in.setLong(2, offset);
      in.setObject(3, now);
      in.executeUpdate();
    }
  }

  // reading

  /** The stored offset of {@code projection}; 0 (the journal's start) when none is stored. */
  public long offset(String projection) {
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps = c.prepareStatement("SELECT \"offset_value\" FROM"
            + " \"troupe_projection_offsets\" WHERE \"projection_name\" = ?")) {
      ps.setString(1, projection);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? rs.getLong(1) : 0L;
      }
    } catch (SQLException e) {
      throw new StoreException("reading the offset of projection '" + projection + "' failed: "
          + e.getMessage(), e);
    }
  }

  /**
   * The stored events of run {@code runId}'s durable stream after {@code afterSeq}, up to {@code
   * toSeq} and at most {@code limit}, in order (times to the millisecond): status changes and the
   * end from the run's row ({@code stream_events}), emitted events from {@code troupe_run_events}
   * (rows written before troupe_runs had that column hold status changes too). The terminal
   * {@code result} or {@code error} event has no data here: its data is the finished run, {@link
   * #find}. Events of a non-durable stream
   * are never stored, and those of a durable one show a moment after they were written (the
   * projection follows the journal).
   */
  public List<RunEvent> events(String runId, long afterSeq, long toSeq, int limit) {
    List<RunEvent> out = new ArrayList<>();
    try (Connection c = dataSource.getConnection()) {
      try (PreparedStatement ps = c.prepareStatement("SELECT \"stream_events\" FROM"
          + " \"troupe_runs\" WHERE \"run_id\" = ?")) {
        ps.setString(1, runId);
        try (ResultSet rs = ps.executeQuery()) {
          if (rs.next()) {
            addEvents(rs.getString(1), afterSeq, toSeq, out);
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
            addEvents(rs.getString(1), afterSeq, toSeq, out);
          }
        }
      }
    } catch (SQLException e) {
      throw new StoreException("reading the stream of run " + runId + " from troupe_runs and"
          + " troupe_run_events failed: " + e.getMessage(), e);
    }
    out.sort(Comparator.comparingLong(RunEvent::seq));
    return out.size() > limit ? List.copyOf(out.subList(0, limit)) : out;
  }

  /** Adds the events of a stored JSON array within {@code (afterSeq, toSeq]} to {@code out}. */
  private static void addEvents(String json, long afterSeq, long toSeq, List<RunEvent> out) {
    if (json == null) {
      return;
    }
    for (JsonNode e : tree(json)) {
      long seq = e.get("seq").asLong();
      if (seq > afterSeq && seq <= toSeq) {
        JsonNode data = e.get("data");
        out.add(new RunEvent(seq, e.get("type").asText(), data == null || data.isNull() ? null : data,
            Instant.ofEpochMilli(e.get("at").asLong())));
      }
    }
  }

  /** The run {@code runId} as the history last saw it. */
  public Optional<RunResult> find(String runId) {
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS
            + " FROM \"troupe_runs\" WHERE \"run_id\" = ?")) {
      ps.setString(1, runId);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? Optional.of(Row.read(rs).toResult()) : Optional.empty();
      }
    } catch (SQLException e) {
      throw new StoreException("reading run " + runId + " from troupe_runs failed: "
          + e.getMessage(), e);
    }
  }

  /**
   * One page of runs, newest first by creation time (then run id, descending).
   *
   * @throws InvalidArgumentException when the query's cursor is not one this store gave out
   */
  public RunPage page(RunQuery query) {
    Cursor after = query.cursor() == null ? null : Cursor.decode(query.cursor());
    StringBuilder sql = new StringBuilder("SELECT ").append(COLUMNS)
        .append(" FROM \"troupe_runs\" WHERE 1 = 1");
    if (query.worker() != null) {
      sql.append(" AND \"worker\" = ?");
    }
    if (query.status() != null) {
      sql.append(" AND \"status\" = ?");
    }
    if (after != null) {
      sql.append(" AND (\"created_at\" < ? OR (\"created_at\" = ? AND \"run_id\" < ?))");
    }
    sql.append(" ORDER BY \"created_at\" DESC, \"run_id\" DESC LIMIT ?");
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps = c.prepareStatement(sql.toString())) {
      int i = 1;
      if (query.worker() != null) {
        ps.setString(i++, query.worker());
      }
      if (query.status() != null) {
        ps.setString(i++, query.status().name());
      }
      if (after != null) {
        LocalDateTime at = utc(Instant.ofEpochMilli(after.createdAtMillis()));
        ps.setObject(i++, at);
        ps.setObject(i++, at);
        ps.setString(i++, after.runId());
      }
      ps.setInt(i, query.limit() + 1);
      List<RunResult> runs = new ArrayList<>();
      boolean more = false;
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          if (runs.size() == query.limit()) {
            more = true;
            break;
          }
          runs.add(Row.read(rs).toResult());
        }
      }
      String next = null;
      if (more) {
        RunResult last = runs.get(runs.size() - 1);
        next = new Cursor(last.createdAt().toEpochMilli(), last.runId()).encode();
      }
      return new RunPage(runs, next);
    } catch (SQLException e) {
      throw new StoreException("reading runs from troupe_runs failed: " + e.getMessage(), e);
    }
  }

  /** Where a page ends: the creation time and id of its last run, opaque to callers. */
  record Cursor(long createdAtMillis, String runId) {
    String encode() {
      return Base64.getUrlEncoder().withoutPadding()
          .encodeToString((createdAtMillis + ":" + runId).getBytes(StandardCharsets.UTF_8));
    }

    static Cursor decode(String cursor) {
      try {
        String s = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
        int colon = s.indexOf(':');
        long millis = Long.parseLong(s.substring(0, colon));
        String runId = s.substring(colon + 1);
        if (millis >= 0 && !runId.isEmpty() && runId.length() <= 128) {
          return new Cursor(millis, runId);
        }
      } catch (IllegalArgumentException | StringIndexOutOfBoundsException e) {
        // falls through to the error below
      }
      throw new InvalidArgumentException("cursor '" + cursor + "' is malformed: pass the"
          + " nextCursor of the previous page unchanged, or no cursor for the first page");
    }
  }

  // rows

  private static LocalDateTime utc(Instant at) {
    return at == null ? null : LocalDateTime.ofInstant(at, ZoneOffset.UTC);
  }

  private static Instant instant(ResultSet rs, String column) throws SQLException {
    LocalDateTime t = rs.getObject(column, LocalDateTime.class);
    return t == null ? null : t.toInstant(ZoneOffset.UTC);
  }

  private static String json(Object value) {
    try {
      return value == null ? null : MAPPER.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write JSON: " + e.getOriginalMessage(), e);
    }
  }

  private static JsonNode tree(String text) {
    try {
      return text == null ? null : MAPPER.readTree(text);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("troupe_runs holds malformed JSON: " + e.getOriginalMessage(), e);
    }
  }

  /** One row of troupe_runs while a batch is folded into it. */
  private static final class Row {
    final String runId;
    final String worker;
    final String entityId;
    final Instant createdAt;
    final String payload;
    final String tags;
    RunStatus status;
    int attempts;
    Instant startedAt;
    Instant finishedAt;
    Long durationMs;
    String result;
    RunError error;
    long lastSeqNr;
    final boolean isNew;
    boolean dirty;
    /** Emitted stream events (messages, logs) of the run in this batch, for troupe_run_events. */
    final List<WorkerEvent.RunStreamed> streamed = new ArrayList<>();
    /** The run's own stream events (status changes, the end) kept in its row before this batch. */
    String ownEvents;
    /** and those of this batch. */
    final List<WorkerEvent.RunStreamed> newOwnEvents = new ArrayList<>();

    private Row(String runId, String worker, String entityId, Instant createdAt, String payload,
        String tags, boolean isNew) {
      this.runId = runId;
      this.worker = worker;
      this.entityId = entityId;
      this.createdAt = createdAt;
      this.payload = payload;
      this.tags = tags;
      this.isNew = isNew;
    }

    static Row accepted(WorkerEvent.RunAccepted a, String entityId, long seqNr) {
      Row r = new Row(a.runId(), RunIds.workerOf(entityId), entityId, a.at(),
          json(a.payload()), json(a.tags() == null ? List.of() : a.tags()), true);
      r.status = RunStatus.QUEUED;
      r.lastSeqNr = seqNr;
      return r;
    }

    /** As {@link WorkerState#apply} changes a run's record; nothing changes a finished run. */
    void apply(WorkerEvent e, long seqNr) {
      if (status.isTerminal()) {
        return;
      }
      if (e instanceof WorkerEvent.RunStreamed st) {
        // the terminal one comes before its RunFinished
        (isOwnEvent(st.eventType()) ? newOwnEvents : streamed).add(st);
        lastSeqNr = Math.max(lastSeqNr, seqNr);
        dirty = true;
        return;
      }
      if (e instanceof WorkerEvent.AttemptStarted s) {
        status = RunStatus.RUNNING;
        attempts = s.attempt();
        startedAt = startedAt == null ? s.at() : startedAt;
      } else if (e instanceof WorkerEvent.AttemptFailed f) {
        status = RunStatus.RETRYING;
        error = f.error();
      } else if (e instanceof WorkerEvent.RunInterrupted) {
        if (status == RunStatus.QUEUED) {
          return;
        }
        status = RunStatus.QUEUED;
      } else if (e instanceof WorkerEvent.RunFinished f) {
        status = f.status();
        finishedAt = f.at();
        durationMs = startedAt == null ? null : Duration.between(startedAt, f.at()).toMillis();
        result = f.result() == null ? null : json(f.result());
        error = f.error();
      } else {
        return; // Checkpointed, StreamReserved: not part of the history
      }
      lastSeqNr = Math.max(lastSeqNr, seqNr);
      dirty = true;
    }

    void bindInsert(PreparedStatement ps) throws SQLException {
      ps.setString(1, runId);
      ps.setString(2, worker);
      ps.setString(3, entityId);
      ps.setString(4, status.name());
      ps.setInt(5, attempts);
      ps.setObject(6, utc(createdAt));
      ps.setObject(7, utc(startedAt));
      ps.setObject(8, utc(finishedAt));
      setLong(ps, 9, durationMs);
      ps.setString(10, payload);
      ps.setString(11, result);
      ps.setString(12, error == null ? null : error.code().name());
      ps.setString(13, error == null ? null : error.message());
      ps.setString(14, tags);
      ps.setLong(15, lastSeqNr);
      ps.setString(16, ownEventsColumn());
    }

    void bindUpdate(PreparedStatement ps) throws SQLException {
      ps.setString(1, status.name());
      ps.setInt(2, attempts);
      ps.setObject(3, utc(startedAt));
      ps.setObject(4, utc(finishedAt));
      setLong(ps, 5, durationMs);
      ps.setString(6, result);
      ps.setString(7, error == null ? null : error.code().name());
      ps.setString(8, error == null ? null : error.message());
      ps.setLong(9, lastSeqNr);
      ps.setString(10, ownEventsColumn());
      ps.setString(11, runId);
      ps.setLong(12, lastSeqNr);
    }

    private static void setLong(PreparedStatement ps, int i, Long value) throws SQLException {
      if (value == null) {
        ps.setNull(i, Types.BIGINT);
      } else {
        ps.setLong(i, value);
      }
    }

    static Row read(ResultSet rs) throws SQLException {
      Row r = new Row(rs.getString("run_id"), rs.getString("worker"), rs.getString("entity_id"),
          instant(rs, "created_at"), rs.getString("payload"), rs.getString("tags"), false);
      r.result = rs.getString("result");
      return r.readMutable(rs);
    }

    /** An existing row with only what an update writes (a finished row is never updated). */
    static Row readState(ResultSet rs) throws SQLException {
      Row r = new Row(rs.getString("run_id"), null, null, null, null, null, false).readMutable(rs);
      r.ownEvents = rs.getString("stream_events");
      return r;
    }

    private Row readMutable(ResultSet rs) throws SQLException {
      Row r = this;
      r.status = RunStatus.valueOf(rs.getString("status"));
      r.attempts = rs.getInt("attempts");
      r.startedAt = instant(rs, "started_at");
      r.finishedAt = instant(rs, "finished_at");
      long d = rs.getLong("duration_ms");
      r.durationMs = rs.wasNull() ? null : d;
      String code = rs.getString("error_code");
      r.error = code == null ? null : new RunError(ErrorCode.valueOf(code), rs.getString("error_message"));
      r.lastSeqNr = rs.getLong("last_seq_nr");
      return r;
    }

    /** The stream_events column: the JSON array kept so far with this batch's own events added. */
    String ownEventsColumn() {
      if (newOwnEvents.isEmpty()) {
        return ownEvents;
      }
      String added = eventsJson(newOwnEvents);
      return ownEvents == null ? added
          : ownEvents.substring(0, ownEvents.lastIndexOf(']')) + "," + added.substring(1);
    }

    /** As {@link RunRecord#toResult}: the error only once the run has finished. */
    RunResult toResult() {
      List<String> tagList;
      try {
        tagList = tags == null ? List.of() : MAPPER.readValue(tags, STRINGS);
      } catch (JsonProcessingException e) {
        throw new IllegalStateException("troupe_runs holds malformed tags: " + tags, e);
      }
      return new RunResult(runId, worker, status, attempts, createdAt, startedAt, finishedAt,
          durationMs, tree(payload), tree(result), status.isTerminal() ? error : null, tagList);
    }
  }
}
