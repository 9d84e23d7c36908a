package dev.troupe.persistence;

import static dev.troupe.persistence.Fixtures.accepted;
import static dev.troupe.persistence.Fixtures.at;
import static dev.troupe.persistence.Fixtures.checkpointed;
import static dev.troupe.persistence.Fixtures.fold;
import static dev.troupe.persistence.Fixtures.id;
import static dev.troupe.persistence.Fixtures.json;
import static dev.troupe.persistence.Fixtures.started;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.troupe.api.ErrorCode;
import dev.troupe.api.RunError;
import dev.troupe.api.RunStatus;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.serialization.Serialization;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * What a worker state holds in bytes: the payloads of its active runs, counted as JSON, and its
 * finished runs, kept as summaries when their data is large.
 */
class RetainedBytesTest {
  private static final ObjectMapper MAPPER = new ObjectMapper();
  /** Keeps 100 finished runs, each whole when its data takes at most 200 bytes. */
  private static final WorkerState.Limits LIMITS = new WorkerState.Limits(100, 100, 200);

  private static ActorTestKit testKit;
  private static Serialization serialization;

  @BeforeAll
  static void start() {
    testKit = PekkoSerialization.testKit("RetainedBytesTest");
    serialization = PekkoSerialization.serialization(testKit);
  }

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  private static WorkerEvent.RunAccepted acceptedWith(String runId, String text, String key) {
    return new WorkerEvent.RunAccepted(runId, json("text", text), 30_000, key, List.of("t"),
        at(0));
  }

  @Test
  void jsonBytesAreTheBytesOfTheCompactUtf8Text() throws Exception {
    // given a document with escapes and characters beyond ASCII
    var doc = json("say", "\"grüß\"\n€");

    // when
    long bytes = JsonBytes.of(doc);

    // then
    assertThat(bytes).isEqualTo(MAPPER.writeValueAsString(doc).getBytes(StandardCharsets.UTF_8)
        .length);
    assertThat(JsonBytes.of(null)).isZero();
    assertThat(JsonBytes.of(TextNode.valueOf("ab"))).isEqualTo(4);
  }

  @Test
  void theActiveRunsPayloadBytesGrowWithEachAcceptedRunAndShrinkWhenItEnds() {
    // given
    WorkerEvent.RunAccepted small = accepted(id(1));
    WorkerEvent.RunAccepted large = acceptedWith(id(2), "x".repeat(5_000), null);

    // when
    WorkerState both = fold(WorkerState.empty(), LIMITS, small, large,
        started(id(2), 1, 1, 1));
    WorkerState one = fold(both, LIMITS, new WorkerEvent.RunFinished(id(2), RunStatus.SUCCEEDED,
        null, null, at(2)));

    // then
    long smallBytes = JsonBytes.of(small.payload());
    assertThat(both.payloadBytes()).isEqualTo(smallBytes + JsonBytes.of(large.payload()));
    assertThat(one.payloadBytes()).isEqualTo(smallBytes);
    assertThat(fold(one, LIMITS, new WorkerEvent.RunFinished(id(1), RunStatus.CANCELLED, null,
        new RunError(ErrorCode.CANCELLED, "no"), at(3))).payloadBytes()).isZero();
  }

  @Test
  void aFinishedRunWithLargeDataIsKeptAsItsSummaryAndASmallOneWhole() {
    // given a run with a small payload but a large result, one with a large checkpoint, a small
    WorkerState s = fold(WorkerState.empty(), LIMITS,
        acceptedWith(id(1), "small", "k1"), acceptedWith(id(2), "small", null),
        acceptedWith(id(3), "small", null),
        started(id(1), 1, 1, 1), started(id(2), 1, 2, 1), started(id(3), 1, 3, 1),
        new WorkerEvent.AttemptFailed(id(1), 1, new RunError(ErrorCode.TRANSIENT_ERROR, "once"),
            at(2)),
        started(id(1), 2, 4, 3),
        checkpointed(id(2), 2, json("page", "p".repeat(300)), 4));

    // when
    WorkerState done = fold(s, LIMITS,
        new WorkerEvent.RunFinished(id(1), RunStatus.SUCCEEDED, json("r", "r".repeat(300)), null,
            at(10)),
        new WorkerEvent.RunFinished(id(2), RunStatus.FAILED, null,
            new RunError(ErrorCode.PERMANENT_ERROR, "bad"), at(11)),
        new WorkerEvent.RunFinished(id(3), RunStatus.SUCCEEDED, json("ok", true), null, at(12)));

    // then the large ones keep status, times, attempts and error, not their data
    RunRecord first = done.run(id(1)).orElseThrow();
    assertThat(first.summarized()).isTrue();
    assertThat(first.status()).isEqualTo(RunStatus.SUCCEEDED);
    assertThat(first.attempts()).isEqualTo(2);
    assertThat(first.createdAt()).isEqualTo(at(0));
    assertThat(first.startedAt()).isEqualTo(at(1));
    assertThat(first.finishedAt()).isEqualTo(at(10));
    assertThat(first.tags()).containsExactly("t");
    assertThat(first.payload()).isNull();
    assertThat(first.result()).isNull();
    assertThat(done.runByIdempotencyKey("k1")).map(RunRecord::runId).contains(id(1));
    RunRecord second = done.run(id(2)).orElseThrow();
    assertThat(second.summarized()).isTrue();
    assertThat(second.checkpoint()).isNull();
    assertThat(second.error()).isEqualTo(new RunError(ErrorCode.PERMANENT_ERROR, "bad"));
    RunRecord third = done.run(id(3)).orElseThrow();
    assertThat(third.summarized()).isFalse();
    assertThat(third.payload()).isEqualTo(json("text", "small"));
    assertThat(third.result()).isEqualTo(json("ok", true));
  }

  @Test
  void aSnapshotKeepsSummariesAsSummariesAndCountsTheActivePayloadsAgain() {
    // given a summarized finished run, and an active one
    WorkerState s = fold(WorkerState.empty(), LIMITS,
        acceptedWith(id(1), "y".repeat(1_000), null), acceptedWith(id(2), "z".repeat(700), null),
        new WorkerEvent.RunFinished(id(1), RunStatus.CANCELLED, null,
            new RunError(ErrorCode.CANCELLED, "no"), at(5)));

    // when
    WorkerState back = (WorkerState) PekkoSerialization.roundTrip(serialization, s);

    // then
    assertThat(back.run(id(1)).orElseThrow().summarized()).isTrue();
    assertThat(back.run(id(1)).orElseThrow().payload()).isNull();
    assertThat(back.run(id(2)).orElseThrow().summarized()).isFalse();
    assertThat(back.payloadBytes()).isEqualTo(s.payloadBytes())
        .isEqualTo(JsonBytes.of(json("text", "z".repeat(700))));
  }
}
