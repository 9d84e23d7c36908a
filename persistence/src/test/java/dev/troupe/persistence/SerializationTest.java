package dev.troupe.persistence;

import static dev.troupe.persistence.Fixtures.accepted;
import static dev.troupe.persistence.Fixtures.at;
import static dev.troupe.persistence.Fixtures.checkpointed;
import static dev.troupe.persistence.Fixtures.failed;
import static dev.troupe.persistence.Fixtures.finished;
import static dev.troupe.persistence.Fixtures.id;
import static dev.troupe.persistence.Fixtures.interrupted;
import static dev.troupe.persistence.Fixtures.json;
import static dev.troupe.persistence.Fixtures.started;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.NullNode;
import dev.troupe.api.ErrorCode;
import dev.troupe.api.RunError;
import dev.troupe.api.RunEvent;
import dev.troupe.api.RunResult;
import dev.troupe.api.RunStatus;
import dev.troupe.api.WorkerStats;
import java.util.List;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.jackson.JacksonJsonSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Everything Troupe sends or journals round-trips through Pekko's Jackson serializer. */
class SerializationTest {
  private static final String TRACE_PARENT =
      "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
  private static ActorTestKit testKit;
  private static Serialization serialization;

  @BeforeAll
  static void start() {
    testKit = PekkoSerialization.testKit("SerializationTest");
    serialization = PekkoSerialization.serialization(testKit);
  }

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  static Stream<Named<Object>> events() {
    return Stream.of(
        Named.of("RunAccepted", accepted(id(1), "order-42", 0)),
        Named.of("RunAccepted without key or tags, with a JSON null payload",
            new WorkerEvent.RunAccepted(id(1), NullNode.getInstance(), 0, null, List.of(),
                at(0))),
        Named.of("RunAccepted with a trace context", Fixtures.accepted(id(1), 0,
            RunSpec.DEFAULT.withTraceParent(TRACE_PARENT))),
        Named.of("AttemptStarted", started(id(1), 2, 7, 10)),
        Named.of("AttemptFailed", failed(id(1), 1, 20)),
        Named.of("Checkpointed", checkpointed(id(1), 7, json("done", 3), 30)),
        Named.of("RunInterrupted", interrupted(id(1), 40)),
        Named.of("AttemptHandedOver", new WorkerEvent.AttemptHandedOver(id(1), 2, 7, at(42))),
        Named.of("RunDue", Fixtures.due(id(1), 41)),
        Named.of("RunAccepted scheduled", Fixtures.scheduled(id(2), 0, 60_000)),
        Named.of("RunFinished succeeded", finished(id(1), RunStatus.SUCCEEDED, 50)),
        Named.of("RunFinished failed", finished(id(1), RunStatus.FAILED, 50)),
        Named.of("RunStreamed", Fixtures.streamed(id(1), 3, "message", json("i", 1), 45)),
        Named.of("RunStreamed terminal, without data",
            Fixtures.streamed(id(1), 4, "result", null, 50)),
        Named.of("StreamReserved", Fixtures.reserved(id(1), 4_294_967_296L, 5)),
        Named.of("DependenciesMet", new WorkerEvent.DependenciesMet(id(1), at(4))),
        Named.of("StepRecorded", new WorkerEvent.StepRecorded(id(1), 7,
            StepRecord.failed("charge", "java.lang.Integer", "card declined", "refund"), at(6))),
        Named.of("CancelRequested", new WorkerEvent.CancelRequested(id(1), at(7))),
        Named.of("FailureCompensationRequested", new WorkerEvent.FailureCompensationRequested(
            id(1), new RunError(ErrorCode.TRANSIENT_ERROR, "lost"), at(8))),
        Named.of("Recorded", new WorkerEvent.Recorded(List.of(accepted(id(2)),
            started(id(2), 1, 3, 5), checkpointed(id(2), 3, json("page", 1), 6),
            failed(id(2), 1, 7), interrupted(id(2), 8),
            finished(id(2), RunStatus.TIMED_OUT, 9),
            new WorkerEvent.Recorded(List.of(accepted(id(3)))))))
    );
  }

  static Stream<Named<Object>> apiRecords() {
    RunError error = new RunError(ErrorCode.PERMANENT_ERROR, "no such mailbox");
    return Stream.of(
        Named.of("RunResult finished", new RunResult(id(1), "send-email", RunStatus.SUCCEEDED,
            2, at(0), at(10), at(122), 112L, json("to", "a@b.c"), json("status", "sent"), null,
            List.of("mail", "urgent"))),
        Named.of("RunResult failed", new RunResult(id(1), "send-email", RunStatus.FAILED, 1,
            at(0), at(10), at(20), 10L, json("to", "a@b.c"), null, error, List.of())),
        Named.of("RunResult queued", new RunResult(id(1), "send-email", RunStatus.QUEUED, 0,
            at(0), null, null, null, json("to", "a@b.c"), null, null, List.of())),
        Named.of("RunResult with a trace id", new RunResult(id(1), "send-email",
            RunStatus.QUEUED, 0, at(0), null, null, null, json("to", "a@b.c"), null, null,
            List.of(), 5, null, null, null, null, null, List.of(), List.of(), List.of(),
            "4bf92f3577b34da6a3ce929d0e0e4736")),
        Named.of("RunEvent", new RunEvent(7, RunEvent.MESSAGE, json("progress", 40), at(5))),
        Named.of("RunEvent result", new RunEvent(8, RunEvent.RESULT, json("runId", id(1)),
            at(6))),
        Named.of("WorkerStats", new WorkerStats("send-email", 10, 2, 112, 1500, 7, 1, 1, 1, 3,
            2, 4, 5, 150.0, 100, 400, 700, at(99))),
        Named.of("WorkerStats empty", new WorkerStats("send-email", 0, 0, 0, 0, 0, 0, 0, 0, 0,
            0, 0, 0, 0.0, 0, 0, 0, null)),
        Named.of("RunError", error));
  }

  @Test
  void productConfigTurnsJavaSerializationOff() {
    // given
    var config = testKit.system().settings().config();

    // when
    boolean javaAllowed = config.getBoolean("pekko.actor.allow-java-serialization");

    // then
    assertThat(javaAllowed).isFalse();
    assertThat(config.getString("pekko.actor.serialization-bindings.\"dev.troupe.api."
        + "TroupeSerializable\"")).isEqualTo("jackson-json");
  }

  /** A type that forgot the marker interface. */
  record Unmarked(String value) implements java.io.Serializable {}

  @Test
  void typeWithoutTheMarkerCannotBeSerialized() {
    // given
    Unmarked message = new Unmarked("x");

    // when
    var result = serialization.serialize(message);

    // then
    assertThat(result.isFailure()).isTrue();
    assertThat(PekkoSerialization.serializerFor(serialization, Unmarked.class))
        .isNotInstanceOf(JacksonJsonSerializer.class);
  }

  @ParameterizedTest
  @MethodSource("events")
  void everyWorkerEventRoundTripsThroughJackson(Object event) {
    // when
    PekkoSerialization.Written written = PekkoSerialization.write(serialization, event);
    Object back = PekkoSerialization.read(serialization, written);

    // then
    assertThat(PekkoSerialization.serializerFor(serialization, event.getClass()))
        .isInstanceOf(JacksonJsonSerializer.class);
    assertThat(serialization.serializerByIdentity().get(written.serializerId()).get())
        .isInstanceOf(JacksonJsonSerializer.class);
    assertThat(written.manifest()).isEqualTo(event.getClass().getName());
    assertThat(back).usingRecursiveComparison().withStrictTypeChecking().isEqualTo(event);
    assertThat(back).isEqualTo(event);
  }

  @Test
  void everyWorkerEventTypeIsCovered() {
    // given
    List<Class<?>> permitted = List.of(WorkerEvent.class.getPermittedSubclasses());

    // when
    List<Class<?>> covered = events().<Class<?>>map(n -> n.getPayload().getClass())
        .distinct().toList();

    // then
    assertThat(covered).containsExactlyInAnyOrderElementsOf(permitted);
  }

  @Test
  void finishedRunWithoutResultComesBackWithoutResult() {
    // given: a failed run has no result (Jackson reads a JSON null into a NullNode)
    WorkerEvent.RunFinished finished = finished(id(1), RunStatus.FAILED, 50);
    RunResult failed = new RunResult(id(1), "send-email", RunStatus.FAILED, 1, at(0), at(10),
        at(20), 10L, json("to", "a@b.c"), null, new RunError(ErrorCode.TIMEOUT, "late"),
        List.of());

    // when
    var finishedBack = (WorkerEvent.RunFinished) PekkoSerialization.roundTrip(serialization,
        finished);
    var failedBack = (RunResult) PekkoSerialization.roundTrip(serialization, failed);

    // then
    assertThat(finishedBack.result()).as("result: Java null expected, got a %s",
        finishedBack.result() == null ? "null" : finishedBack.result().getClass().getName())
        .isNull();
    assertThat(failedBack.result()).as("result: Java null expected, got a %s",
        failedBack.result() == null ? "null" : failedBack.result().getClass().getName())
        .isNull();
  }

  @Test
  void restoredRunWithoutCheckpointHasNone() {
    // given: a handler asks for its last checkpoint after a restore: none was ever written
    WorkerState state = Fixtures.fold(accepted(id(1)), started(id(1), 1, 1, 10),
        failed(id(1), 1, 20));

    // when
    WorkerState back = (WorkerState) PekkoSerialization.roundTrip(serialization, state);

    // then
    assertThat(back.run(id(1)).orElseThrow().checkpoint()).as("checkpoint").isNull();
    assertThat(back.run(id(1)).orElseThrow().result()).as("result").isNull();
  }

  @ParameterizedTest
  @MethodSource("apiRecords")
  void apiRecordsRoundTripThroughJackson(Object record) {
    // when
    Object back = PekkoSerialization.roundTrip(serialization, record);

    // then
    assertThat(PekkoSerialization.serializerFor(serialization, record.getClass()))
        .isInstanceOf(JacksonJsonSerializer.class);
    assertThat(back).usingRecursiveComparison().withStrictTypeChecking().isEqualTo(record);
    assertThat(back).isEqualTo(record);
  }

  @Test
  void workerStateSnapshotRoundTrips() {
    // given
    WorkerState state = Fixtures.richState();
    List<String> ids = IntStream.rangeClosed(1, 11).mapToObj(Fixtures::id).toList();
    List<String> keys = List.of("key-1", "key-3", "key-5", "key-none");
    assertThat(state.queue()).containsExactly(id(3), id(4));
    assertThat(state.scheduledCount()).isEqualTo(2);
    assertThat(state.nextDue()).contains(Fixtures.at(80_000));
    assertThat(state.executingCount()).isEqualTo(2);
    assertThat(state.stats().runs()).isEqualTo(3);
    assertThat(state.stats().window()).isNotEmpty();

    // when
    PekkoSerialization.Written written = PekkoSerialization.write(serialization, state);
    WorkerState back = (WorkerState) PekkoSerialization.read(serialization, written);

    // then
    assertThat(PekkoSerialization.serializerFor(serialization, WorkerState.class))
        .isInstanceOf(JacksonJsonSerializer.class);
    PekkoSerialization.assertSameState(back, state, ids, keys);
    assertThat(back.runByIdempotencyKey("key-5")).map(RunRecord::status)
        .contains(RunStatus.SUCCEEDED);
    assertThat(back.run(id(1)).orElseThrow().checkpoint()).isEqualTo(json("done", 3));
  }

  @Test
  void restoredStateGoesOnLikeTheOriginal() {
    // given
    WorkerState state = Fixtures.richState();
    WorkerState back = (WorkerState) PekkoSerialization.roundTrip(serialization, state);
    WorkerEvent[] next = {
        started(id(3), 2, 6, 200), finished(id(3), RunStatus.SUCCEEDED, 260),
        started(id(2), 2, 7, 300), finished(id(2), RunStatus.TIMED_OUT, 400),
        finished(id(4), RunStatus.CANCELLED, 401), accepted(id(8), "key-8", 402),
        Fixtures.due(id(11), 80_000), finished(id(10), RunStatus.CANCELLED, 80_001)};

    // when
    WorkerState original = Fixtures.fold(state, Fixtures.LIMITS, next);
    WorkerState restored = Fixtures.fold(back, Fixtures.LIMITS, next);

    // then
    PekkoSerialization.assertSameState(restored, original,
        IntStream.rangeClosed(1, 11).mapToObj(Fixtures::id).toList(),
        List.of("key-1", "key-3", "key-5", "key-8"));
    assertThat(restored.stats().runs()).isEqualTo(7);
  }

  @Test
  void emptyStateRoundTrips() {
    // given
    WorkerState empty = WorkerState.empty();

    // when
    WorkerState back = (WorkerState) PekkoSerialization.roundTrip(serialization, empty);

    // then
    PekkoSerialization.assertSameState(back, empty, List.of(id(1)), List.of("k"));
    assertThat(back.stats()).isEqualTo(Stats.EMPTY);
  }
}
