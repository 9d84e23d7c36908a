package dev.troupe.node.entity;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.troupe.node.metrics.TroupeMetrics;
import java.time.Duration;
import java.util.List;
import org.apache.pekko.actor.testkit.typed.annotations.JUnit5TestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.JUnit5TestKitBuilder;
import org.apache.pekko.actor.testkit.typed.javadsl.TestKitJUnit5Extension;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.LoggerFactory;

/**
 * The front's isolation of a command the journal will not write: which command is refused, and
 * how, from the writes that succeed or fail while its batch's commands are tried alone. A journal
 * that refuses everything (a database that is down) is not taken for bad input, and no command is
 * tried more than once alone.
 */
@ExtendWith(TestKitJUnit5Extension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class IsolationTest {
  @JUnit5TestKit
  final ActorTestKit testKit = new JUnit5TestKitBuilder().build();

  private static Isolation newIsolation() {
    return new Isolation("w", "w", new TroupeMetrics(),
        LoggerFactory.getLogger(IsolationTest.class));
  }

  private WorkerEntity.Call call(TestProbe<WorkerEntity.CallReply> replyTo) {
    return new WorkerEntity.Call(JsonNodeFactory.instance.objectNode(), 0, null, List.of(),
        replyTo.ref());
  }

  @Test
  void aCommandWhoseOwnWriteFailsWhileTheOthersAreWrittenIsRefusedAsInvalid() {
    // given a batch of three calls whose write failed
    Isolation isolation = newIsolation();
    TestProbe<WorkerEntity.CallReply> a = testKit.createTestProbe();
    TestProbe<WorkerEntity.CallReply> bad = testKit.createTestProbe();
    TestProbe<WorkerEntity.CallReply> c = testKit.createTestProbe();
    WorkerEntity.Call badCall = call(bad);
    isolation.failed(List.of(call(a), badCall, call(c)), "the database refused the write");

    // when each is tried alone: the first written, the bad one failing, the last written
    assertThat(isolation.next()).isNotNull();
    isolation.written();
    assertThat(isolation.next()).isSameAs(badCall);
    isolation.failed(List.of(badCall), "the database refused the write");
    assertThat(isolation.next()).isNotNull();
    isolation.written();

    // then once none is left, the bad one alone is refused, naming why
    assertThat(isolation.next()).isNull();
    WorkerEntity.Refused refused = (WorkerEntity.Refused) bad.receiveMessage();
    assertThat(refused.reason()).isEqualTo(WorkerEntity.Refused.Reason.INVALID);
    assertThat(refused.message()).contains("the database refused the write");
    a.expectNoMessage(Duration.ofMillis(50));
    c.expectNoMessage(Duration.ofMillis(50));
  }

  @Test
  void whenNoWriteSucceedsEachCommandIsTriedAloneOnceThenRefusedAsUnavailable() {
    // given a batch of two calls whose write failed, in a journal that refuses everything
    Isolation isolation = newIsolation();
    TestProbe<WorkerEntity.CallReply> a = testKit.createTestProbe();
    TestProbe<WorkerEntity.CallReply> b = testKit.createTestProbe();
    isolation.written(); // a write long before does not count
    isolation.failed(List.of(call(a), call(b)), "the database refused the write");

    // when each fails alone too
    isolation.failed(List.of(isolation.next()), "the database refused the write");
    isolation.failed(List.of(isolation.next()), "the database refused the write");

    // then neither is tried again, and both are refused as unavailable, not as bad input
    assertThat(isolation.next()).isNull();
    for (TestProbe<WorkerEntity.CallReply> p : List.of(a, b)) {
      WorkerEntity.Refused refused = (WorkerEntity.Refused) p.receiveMessage();
      assertThat(refused.reason()).isEqualTo(WorkerEntity.Refused.Reason.UNAVAILABLE);
      assertThat(refused.message()).contains("try again later");
    }
  }

  @Test
  void aLoneCommandWhoseWriteFailsIsRefusedAsUnavailable() {
    // given writes that succeeded before
    Isolation isolation = newIsolation();
    isolation.written();
    TestProbe<WorkerEntity.CallReply> lone = testKit.createTestProbe();

    // when a batch of one command fails
    isolation.failed(List.of(call(lone)), "its serializer rejected the events: too deep");

    // then it is not tried again, and is refused: nothing shows that the journal works
    assertThat(isolation.next()).isNull();
    assertThat(((WorkerEntity.Refused) lone.receiveMessage()).reason())
        .isEqualTo(WorkerEntity.Refused.Reason.UNAVAILABLE);
  }
}
