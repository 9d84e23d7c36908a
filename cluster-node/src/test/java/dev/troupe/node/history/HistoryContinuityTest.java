package dev.troupe.node.history;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.troupe.api.RunResult;
import dev.troupe.api.RunStatus;
import dev.troupe.node.Await;
import dev.troupe.node.TestNodes;
import dev.troupe.node.config.HistorySettings;
import dev.troupe.node.metrics.TroupeMetrics;
import dev.troupe.persistence.DatabaseSettings;
import dev.troupe.persistence.RunHistory;
import dev.troupe.persistence.RunHistoryStore;
import dev.troupe.persistence.SchemaMigrator;
import dev.troupe.persistence.WorkerEvent;
import dev.troupe.persistence.WorkerEvents;
import dev.troupe.persistence.history.JdbcRunHistoryStore;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.javadsl.CommandHandler;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehavior;
import org.apache.pekko.stream.KillSwitches;
import org.apache.pekko.stream.UniqueKillSwitch;
import org.apache.pekko.stream.javadsl.Keep;
import org.apache.pekko.stream.javadsl.Sink;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The run history projection against a real journal: an entry the tag query never delivers is
 * read back by persistence id (also when it is its entity's last), and an entry the database
 * refuses is set aside while the others are written.
 */
class HistoryContinuityTest {
  private static final String RUN = "01JD3Q7R8V3K5M9W2X4Y6Z8001-gap";
  private static final String NEXT = "01JD3Q7R8V3K5M9W2X4Y6Z8002-gap";

  private ActorSystem<Void> system;
  private Config config;
  private RunHistoryStore store;
  private ExecutorService jdbc;
  private final TroupeMetrics metrics = new TroupeMetrics();
  private UniqueKillSwitch projection;

  @BeforeEach
  void start() {
    config = TestNodes.config(TestNodes.newH2Url(), "troupe.history.batch-window = 20ms\n"
        + "troupe.history.tail-check-interval = 300ms");
    DatabaseSettings db = DatabaseSettings.fromConfig(config);
    SchemaMigrator.migrate(db);
    store = JdbcRunHistoryStore.open(db, 2);
    jdbc = Executors.newSingleThreadExecutor();
    system = ActorSystem.create(Behaviors.empty(), "troupe", config);
  }

  @AfterEach
  void stop() {
    if (projection != null) {
      projection.shutdown();
    }
    system.terminate();
    Await.result(system.getWhenTerminated());
    store.close();
    jdbc.shutdown();
  }

  private void runProjection() {
    projection = RunHistoryProjection.source(system, store, HistorySettings.fromConfig(config),
            jdbc, metrics)
        .viaMat(KillSwitches.single(), Keep.right())
        .toMat(Sink.ignore(), Keep.left())
        .run(system);
  }

  private record Write(WorkerEvent event, ActorRef<Done> replyTo) {}

  /** A journal writer of entity "gap" that tags every event but the AttemptStarted ones. */
  private static Behavior<Write> writer() {
    return writer("worker|gap", WorkerEvent.AttemptStarted.class);
  }

  /** A journal writer of {@code persistenceId} that tags every event but the {@code untagged}. */
  private static Behavior<Write> writer(String persistenceId,
      Class<? extends WorkerEvent> untagged) {
    return new EventSourcedBehavior<Write, WorkerEvent, String>(
        PersistenceId.ofUniqueId(persistenceId)) {
      @Override
      public String emptyState() {
        return "";
      }

      @Override
      public CommandHandler<Write, WorkerEvent, String> commandHandler() {
        return newCommandHandlerBuilder().forAnyState().onAnyCommand((s, w) ->
            Effect().persist(w.event()).thenRun(x -> w.replyTo().tell(Done.getInstance())));
      }

      @Override
      public EventHandler<String, WorkerEvent> eventHandler() {
        return newEventHandlerBuilder().forAnyState().onAnyEvent((s, e) -> s);
      }

      @Override
      public Set<String> tagsFor(WorkerEvent event) {
        return untagged.isInstance(event) ? Set.of() : Set.of(RunHistory.TAG);
      }
    };
  }

  private void write(ActorRef<Write> writer, WorkerEvent... events) {
    for (WorkerEvent e : events) {
      CompletionStage<Done> done = AskPattern.ask(writer, r -> new Write(e, r),
          Duration.ofSeconds(10), system.scheduler());
      Await.result(done);
    }
  }

  private static WorkerEvent.RunAccepted accepted(String runId) {
    return new WorkerEvent.RunAccepted(runId, JsonNodeFactory.instance.objectNode(), 30_000, null,
        List.of(), Instant.parse("2026-12-07T10:00:00Z"));
  }

  private static WorkerEvent.RunFinished succeeded(String runId) {
    return new WorkerEvent.RunFinished(runId, RunStatus.SUCCEEDED, null, null,
        Instant.parse("2026-12-07T10:00:02Z"));
  }

  @Test
  void anEntryTheTagQueryNeverDeliversIsReadBackByPersistenceId() {
    // given a run whose start was written without the history's tag
    ActorRef<Write> writer = system.systemActorOf(writer(), "writer", Props.empty());
    write(writer, accepted(RUN),
        new WorkerEvent.AttemptStarted(RUN, 1, 1, Instant.parse("2026-12-07T10:00:01Z")),
        succeeded(RUN));

    // when the projection runs
    runProjection();

    // then the history shows the run as its entity did: started once, then succeeded
    await().atMost(Duration.ofSeconds(20)).until(() -> store.find(RUN)
        .map(r -> r.status() == RunStatus.SUCCEEDED).orElse(false));
    RunResult run = store.find(RUN).orElseThrow();
    assertThat(run.attempts()).isEqualTo(1);
    assertThat(run.startedAt()).isEqualTo(Instant.parse("2026-12-07T10:00:01Z"));
    assertThat(metrics.scrape()).contains("troupe_history_backfilled_entries_total 1.0");
  }

  @Test
  void anEntitysLastEntryTheTagQueryNeverDeliversIsReadBackByPersistenceId() {
    // given a run whose end, its entity's last entry, was written without the history's tag
    ActorRef<Write> writer = system.systemActorOf(
        writer("worker|last", WorkerEvent.RunFinished.class), "writer", Props.empty());
    write(writer, accepted(RUN), succeeded(RUN));
    // and the tag query moves past it with another entity's entry, as it does in a busy journal
    ActorRef<Write> other = system.systemActorOf(
        writer("worker|other", WorkerEvent.AttemptStarted.class), "other", Props.empty());
    write(other, accepted(NEXT));

    // when the projection runs, and no later entry of the first entity follows
    runProjection();

    // then the history shows the run's end all the same
    await().atMost(Duration.ofSeconds(20)).until(() -> store.find(RUN)
        .map(r -> r.status() == RunStatus.SUCCEEDED).orElse(false));
    assertThat(metrics.scrape()).contains("troupe_history_backfilled_entries_total 1.0");
  }

  @Test
  void anEntryTheDatabaseRefusesIsSetAsideAndTheOthersAreWritten() throws SQLException {
    // given a run id too long for the history's column, between two good runs' entries
    ActorRef<Write> writer = system.systemActorOf(writer(), "writer", Props.empty());
    String poison = "01JD3Q7R8V3K5M9W2X4Y6Z8003-gap" + "x".repeat(200);
    write(writer, accepted(RUN), accepted(poison), accepted(NEXT), succeeded(RUN));

    // when the projection runs
    runProjection();

    // then both good runs are written, and the poison is kept aside and counted
    await().atMost(Duration.ofSeconds(20)).until(() -> store.find(RUN)
        .map(r -> r.status() == RunStatus.SUCCEEDED).orElse(false));
    assertThat(store.find(NEXT)).map(RunResult::status).contains(RunStatus.QUEUED);
    assertThat(metrics.scrape()).contains("troupe_history_parked_entries_total 1.0");
    DatabaseSettings db = DatabaseSettings.fromConfig(config);
    try (Connection c = DriverManager.getConnection(db.url(), db.user(), db.password());
        ResultSet rs = c.createStatement().executeQuery(
            "SELECT \"sequence_nr\", \"run_id\" FROM \"troupe_history_parked\"")) {
      assertThat(rs.next()).isTrue();
      assertThat(rs.getLong(1)).isEqualTo(2);
      assertThat(rs.getString(2)).isEqualTo(poison.substring(0, 128));
      assertThat(rs.next()).isFalse();
    }
    assertThat(Optional.of(store.offset(RunHistory.PROJECTION))).hasValueSatisfying(
        o -> assertThat(o).isPositive());
  }

  @Test
  void largeRunsAreWrittenInTransactionsOfAtMostTheBatchBytes() {
    // given ten runs of an entity, each accepted with a payload of about 3 KB, in the journal
    ActorRef<Write> writer = system.systemActorOf(writer("worker|large", WorkerEvent.AttemptStarted.class),
        "writer", Props.empty());
    List<String> runs = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      String runId = "01JD3Q7R8V3K5M9W2X4Y6Z81" + (10 + i) + "-large";
      runs.add(runId);
      write(writer, new WorkerEvent.RunAccepted(runId, JsonNodeFactory.instance.objectNode()
          .put("text", "x".repeat(3_000)), 30_000, null, List.of(),
          Instant.parse("2026-12-07T10:00:00Z")));
    }
    // and a projection whose transactions carry at most 4 KB of run data, counted by each write
    List<Long> written = new CopyOnWriteArrayList<>();
    RunHistoryStore counting = (RunHistoryStore) Proxy.newProxyInstance(
        RunHistoryStore.class.getClassLoader(), new Class<?>[] {RunHistoryStore.class},
        (proxy, method, args) -> {
          if (method.getName().equals("applyAll")) {
            @SuppressWarnings("unchecked")
            List<RunHistoryStore.Entry> entries = (List<RunHistoryStore.Entry>) args[1];
            written.add(entries.stream().mapToLong(e -> WorkerEvents.dataBytes(e.event())).sum());
          }
          try {
            return method.invoke(store, args);
          } catch (InvocationTargetException e) {
            throw e.getCause();
          }
        });

    // when the projection runs
    projection = RunHistoryProjection.source(system, counting, HistorySettings.fromConfig(
            ConfigFactory.parseString("troupe.history.batch-bytes = 4k").withFallback(config)),
            jdbc, metrics)
        .viaMat(KillSwitches.single(), Keep.right())
        .toMat(Sink.ignore(), Keep.left())
        .run(system);

    // then every run reaches the history, in transactions of one 3 KB entry each
    await().atMost(Duration.ofSeconds(20)).until(() -> runs.stream()
        .allMatch(r -> store.find(r).isPresent()));
    assertThat(written).hasSize(10).allSatisfy(bytes -> assertThat(bytes).isLessThan(4_096));
  }
}
