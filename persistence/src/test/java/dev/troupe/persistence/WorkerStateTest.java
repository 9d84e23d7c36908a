package dev.troupe.persistence;

import static dev.troupe.persistence.Fixtures.LIMITS;
import static dev.troupe.persistence.Fixtures.accepted;
import static dev.troupe.persistence.Fixtures.at;
import static dev.troupe.persistence.Fixtures.checkpointed;
import static dev.troupe.persistence.Fixtures.failed;
import static dev.troupe.persistence.Fixtures.finished;
import static dev.troupe.persistence.Fixtures.fold;
import static dev.troupe.persistence.Fixtures.id;
import static dev.troupe.persistence.Fixtures.interrupted;
import static dev.troupe.persistence.Fixtures.json;
import static dev.troupe.persistence.Fixtures.scheduled;
import static dev.troupe.persistence.Fixtures.started;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.troupe.api.ErrorCode;
import dev.troupe.api.RunError;
import dev.troupe.api.RunResult;
import dev.troupe.api.RunStatus;
import dev.troupe.api.WorkerStats;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class WorkerStateTest {

  @Nested
  class Lifecycle {

    @Test
    void acceptedRunsWaitInTheQueueInArrivalOrder() {
      // given
      WorkerState empty = WorkerState.empty();

      // when
      WorkerState s = fold(empty, LIMITS, accepted(id(2)), accepted(id(1)), accepted(id(3)));

      // then
      assertThat(s.queue()).containsExactly(id(2), id(1), id(3));
      assertThat(s.queuedCount()).isEqualTo(3);
      assertThat(s.executingCount()).isZero();
      assertThat(s.activeRuns()).extracting(RunRecord::runId)
          .containsExactlyInAnyOrder(id(1), id(2), id(3));
      RunRecord r = s.run(id(1)).orElseThrow();
      assertThat(r.status()).isEqualTo(RunStatus.QUEUED);
      assertThat(r.attempts()).isZero();
      assertThat(r.payload()).isEqualTo(json("to", id(1) + "@example.com"));
      assertThat(r.timeoutMs()).isEqualTo(30_000);
      assertThat(r.tags()).containsExactly("mail");
      assertThat(r.createdAt()).isEqualTo(at(0));
      assertThat(r.startedAt()).isNull();
      assertThat(empty.queue()).as("the old state is untouched").isEmpty();
    }

    @Test
    void aRunWithDependenciesWaitsOutsideTheQueueUntilTheyAreMetOrItEnds() {
      // given two runs that depend on another one
      RunSpec spec = new RunSpec(4, null, null, List.of(id(9)), null, null, null);
      WorkerEvent.RunAccepted waits = new WorkerEvent.RunAccepted(id(2), json("n", 2), 0, null,
          List.of(), at(1), spec);
      WorkerEvent.RunAccepted alsoWaits = new WorkerEvent.RunAccepted(id(3), json("n", 3), 0,
          null, List.of(), at(2), spec);

      // when
      WorkerState s = fold(accepted(id(1)), waits, alsoWaits);

      // then they are WAITING: neither queued nor executing
      assertThat(s.run(id(2)).orElseThrow().status()).isEqualTo(RunStatus.WAITING);
      assertThat(s.queue()).containsExactly(id(1));
      assertThat(s.executingCount()).isZero();
      assertThat(s.waitingRuns()).extracting(RunRecord::runId)
          .containsExactlyInAnyOrder(id(2), id(3));

      // when one is released and the other cancelled
      WorkerState after = fold(s, LIMITS, new WorkerEvent.DependenciesMet(id(2), at(3)),
          finished(id(3), RunStatus.CANCELLED, 4));

      // then
      assertThat(after.queue()).containsExactly(id(1), id(2));
      assertThat(after.run(id(2)).orElseThrow().status()).isEqualTo(RunStatus.QUEUED);
      assertThat(after.waitingRuns()).isEmpty();
      assertThat(after.executingCount()).isZero();
      assertThat(fold(after, LIMITS, new WorkerEvent.DependenciesMet(id(2), at(5))).queue())
          .as("a second release changes nothing").containsExactly(id(1), id(2));
    }

    @Test
    void startedAttemptRunsTheRunAndTakesItOutOfTheQueue() {
      // given
      WorkerState s = fold(accepted(id(1)), accepted(id(2)), accepted(id(3)));

      // when
      WorkerState afterMiddle = s.apply(started(id(2), 1, 1, 50), LIMITS);
      WorkerState afterHead = afterMiddle.apply(started(id(1), 1, 2, 60), LIMITS);

      // then
      assertThat(afterMiddle.queue()).containsExactly(id(1), id(3));
      assertThat(afterHead.queue()).containsExactly(id(3));
      RunRecord r = afterHead.activeRun(id(2)).orElseThrow();
      assertThat(r.status()).isEqualTo(RunStatus.RUNNING);
      assertThat(r.attempts()).isEqualTo(1);
      assertThat(r.epoch()).isEqualTo(1);
      assertThat(r.startedAt()).isEqualTo(at(50));
      assertThat(r.isExecuting()).isTrue();
      assertThat(afterHead.executingCount()).isEqualTo(2);
      assertThat(afterHead.queuedCount()).isEqualTo(1);
    }

    @Test
    void epochsOnlyGrow() {
      // given
      WorkerState s = fold(accepted(id(1)), accepted(id(2)));
      assertThat(s.nextEpoch()).isEqualTo(1);

      // when
      WorkerState first = s.apply(started(id(1), 1, 5, 10), LIMITS);
      WorkerState stale = first.apply(started(id(2), 1, 3, 20), LIMITS);

      // then
      assertThat(first.nextEpoch()).isEqualTo(6);
      assertThat(stale.nextEpoch()).as("an older epoch never lowers nextEpoch").isEqualTo(6);
      assertThat(stale.run(id(2)).orElseThrow().epoch()).isEqualTo(3);
    }

    @Test
    void failedAttemptWaitsForItsRetryHoldingItsSlotAndCountsARetry() {
      // given
      WorkerState s = fold(accepted(id(1)), accepted(id(2)), started(id(1), 1, 1, 100));

      // when
      WorkerState s2 = s.apply(failed(id(1), 1, 200), LIMITS);

      // then
      RunRecord r = s2.run(id(1)).orElseThrow();
      assertThat(r.status()).isEqualTo(RunStatus.RETRYING);
      assertThat(r.error()).isEqualTo(new RunError(ErrorCode.TRANSIENT_ERROR, "attempt 1 failed"));
      assertThat(r.isExecuting()).isTrue();
      assertThat(s2.queue()).containsExactly(id(2));
      assertThat(s2.executingCount()).isEqualTo(1);
      assertThat(s2.stats().retries()).isEqualTo(1);
      assertThat(s2.stats().runs()).as("a retry does not finish the run").isZero();
    }

    @Test
    void retryStartsTheNextAttemptButKeepsTheFirstStartTime() {
      // given
      WorkerState s = fold(accepted(id(1)), started(id(1), 1, 1, 100), failed(id(1), 1, 200));

      // when
      WorkerState s2 = fold(s, LIMITS, started(id(1), 2, 2, 500),
          failed(id(1), 2, 600), started(id(1), 3, 3, 900));

      // then
      RunRecord r = s2.run(id(1)).orElseThrow();
      assertThat(r.status()).isEqualTo(RunStatus.RUNNING);
      assertThat(r.attempts()).isEqualTo(3);
      assertThat(r.epoch()).isEqualTo(3);
      assertThat(r.startedAt()).isEqualTo(at(100));
      assertThat(s2.stats().retries()).isEqualTo(2);
      assertThat(s2.nextEpoch()).isEqualTo(4);
    }

    @Test
    void checkpointIsStoredAndSurvivesTheNextAttempt() {
      // given
      WorkerState s = fold(accepted(id(1)), started(id(1), 1, 1, 10));

      // when
      WorkerState s2 = fold(s, LIMITS, checkpointed(id(1), 1, json("done", 1), 20),
          checkpointed(id(1), 1, json("done", 2), 30));
      WorkerState s3 = fold(s2, LIMITS, failed(id(1), 1, 40), started(id(1), 2, 2, 50));

      // then
      assertThat(s2.run(id(1)).orElseThrow().checkpoint()).isEqualTo(json("done", 2));
      assertThat(s3.run(id(1)).orElseThrow().checkpoint()).isEqualTo(json("done", 2));
      assertThat(s.run(id(1)).orElseThrow().checkpoint()).isNull();
    }

    @Test
    void interruptedRunWaitsAgainFirstInLine() {
      // given
      WorkerState s = fold(accepted(id(1)), accepted(id(2)), started(id(1), 1, 1, 10),
          accepted(id(3)), checkpointed(id(1), 1, json("done", 7), 15));

      // when
      WorkerState s2 = s.apply(interrupted(id(1), 20), LIMITS);

      // then
      assertThat(s.queue()).containsExactly(id(2), id(3));
      assertThat(s2.queue()).containsExactly(id(1), id(2), id(3));
      RunRecord r = s2.run(id(1)).orElseThrow();
      assertThat(r.status()).isEqualTo(RunStatus.QUEUED);
      assertThat(r.attempts()).isEqualTo(1);
      assertThat(r.checkpoint()).isEqualTo(json("done", 7));
      assertThat(s2.executingCount()).isZero();
      assertThat(s2.queuedCount()).isEqualTo(3);
    }

    @Test
    void aHandedOverRunWaitsFirstInLineWithItsAttemptGivenBack() {
      // given run 1 executing attempt 2 after a checkpoint, two runs queued behind it
      WorkerState s = fold(accepted(id(1)), accepted(id(2)), started(id(1), 1, 1, 10),
          failed(id(1), 1, 12), started(id(1), 2, 2, 14), accepted(id(3)),
          checkpointed(id(1), 2, json("done", 7), 15));

      // when its entity hands it over, and its next owner starts it
      WorkerState handed = s.apply(new WorkerEvent.AttemptHandedOver(id(1), 2, 2, at(20)), LIMITS);
      RunRecord queued = handed.run(id(1)).orElseThrow();
      WorkerState again = handed.apply(started(id(1), queued.nextAttempt(), 3, 30), LIMITS);

      // then it waited first in line, from its checkpoint, and runs again as attempt 2
      assertThat(handed.queue()).containsExactly(id(1), id(2), id(3));
      assertThat(queued.status()).isEqualTo(RunStatus.QUEUED);
      assertThat(queued.checkpoint()).isEqualTo(json("done", 7));
      assertThat(handed.executingCount()).isZero();
      assertThat(queued.nextAttempt()).isEqualTo(2);
      assertThat(again.run(id(1)).orElseThrow().attempts()).isEqualTo(2);
      assertThat(again.queue()).containsExactly(id(2), id(3));
      assertThat(again.executingCount()).isEqualTo(1);
      assertThat(again.stats().retries()).isEqualTo(s.stats().retries());
    }

    @Test
    void handingOverARunThatIsNotRunningChangesNothing() {
      // given one run queued, one waiting for its retry
      WorkerState s = fold(accepted(id(1)), accepted(id(2)), started(id(2), 1, 1, 10),
          failed(id(2), 1, 12));

      // when
      WorkerState s2 = fold(s, LIMITS, new WorkerEvent.AttemptHandedOver(id(1), 1, 1, at(20)),
          new WorkerEvent.AttemptHandedOver(id(2), 1, 1, at(21)));

      // then
      assertThat(s2.run(id(1))).isEqualTo(s.run(id(1)));
      assertThat(s2.run(id(2))).isEqualTo(s.run(id(2)));
      assertThat(s2.queue()).isEqualTo(s.queue());
    }

    @Test
    void interruptingARetryingRunQueuesItFirstAndTheNextStartTakesItOut() {
      // given
      WorkerState s = fold(accepted(id(1)), accepted(id(2)), started(id(1), 1, 1, 10),
          failed(id(1), 1, 20));

      // when
      WorkerState s2 = fold(s, LIMITS, interrupted(id(1), 30), started(id(1), 2, 2, 40));

      // then
      assertThat(s2.queue()).containsExactly(id(2));
      assertThat(s2.run(id(1)).orElseThrow().status()).isEqualTo(RunStatus.RUNNING);
      assertThat(s2.executingCount()).isEqualTo(1);
    }

    @Test
    void interruptingAQueuedRunChangesNothing() {
      // given
      WorkerState s = fold(accepted(id(1)), accepted(id(2)));

      // when
      WorkerState s2 = s.apply(interrupted(id(2), 10), LIMITS);

      // then
      assertThat(s2.queue()).containsExactly(id(1), id(2));
      assertThat(s2.queuedCount()).isEqualTo(2);
    }

    @Test
    void finishedRunLeavesTheActiveRunsAndIsKeptAmongFinishedOnes() {
      // given
      WorkerState s = fold(accepted(id(1)), accepted(id(2)), started(id(1), 1, 1, 100));

      // when
      WorkerState s2 = s.apply(finished(id(1), RunStatus.SUCCEEDED, 350), LIMITS);

      // then
      assertThat(s2.activeRun(id(1))).isEmpty();
      assertThat(s2.activeRuns()).extracting(RunRecord::runId).containsExactly(id(2));
      assertThat(s2.executingCount()).isZero();
      RunRecord r = s2.run(id(1)).orElseThrow();
      assertThat(r.status()).isEqualTo(RunStatus.SUCCEEDED);
      assertThat(r.result()).isEqualTo(json("done", id(1)));
      assertThat(r.finishedAt()).isEqualTo(at(350));
      assertThat(r.durationMs()).isEqualTo(250L);
      assertThat(r.error()).isNull();
    }

    @Test
    void runAsUsersSeeItShowsItsErrorOnlyOnceFinished() {
      // given
      WorkerState retrying = fold(accepted(id(1)), started(id(1), 1, 1, 100),
          failed(id(1), 1, 150));
      WorkerState done = fold(retrying, LIMITS, started(id(1), 2, 2, 300),
          finished(id(1), RunStatus.FAILED, 400));

      // when
      RunResult during = retrying.run(id(1)).orElseThrow().toResult("send-email");
      RunResult after = done.run(id(1)).orElseThrow().toResult("send-email");

      // then
      assertThat(during.status()).isEqualTo(RunStatus.RETRYING);
      assertThat(during.isFinished()).isFalse();
      assertThat(during.error()).as("a transient error is not the run's error yet").isNull();
      assertThat(during.finishedAt()).isNull();
      assertThat(during.durationMs()).isNull();
      assertThat(after).isEqualTo(new RunResult(id(1), "send-email", RunStatus.FAILED, 2, at(0),
          at(100), at(400), 300L, json("to", id(1) + "@example.com"), null,
          new RunError(ErrorCode.PERMANENT_ERROR, "bad input"), List.of("mail")));
    }

    @Test
    void runCancelledWhileQueuedLeavesTheQueue() {
      // given
      WorkerState s = fold(accepted(id(1)), accepted(id(2)), accepted(id(3)));

      // when
      WorkerState s2 = s.apply(finished(id(2), RunStatus.CANCELLED, 10), LIMITS);

      // then
      assertThat(s2.queue()).containsExactly(id(1), id(3));
      assertThat(s2.queuedCount()).isEqualTo(2);
      assertThat(s2.executingCount()).isZero();
      RunRecord r = s2.run(id(2)).orElseThrow();
      assertThat(r.status()).isEqualTo(RunStatus.CANCELLED);
      assertThat(r.error().code()).isEqualTo(ErrorCode.CANCELLED);
      assertThat(r.durationMs()).isNull();
    }

    @Test
    void finishedRunsBeyondTheRetainedNumberAreForgottenWithTheirIdempotencyKeys() {
      // given
      WorkerState.Limits keepTwo = new WorkerState.Limits(2, 100);
      WorkerState s = fold(WorkerState.empty(), keepTwo,
          accepted(id(1), "k1", 0), accepted(id(2), "k2", 1), accepted(id(3), "k3", 2));

      // when
      WorkerState s2 = fold(s, keepTwo, finished(id(1), RunStatus.SUCCEEDED, 10),
          finished(id(2), RunStatus.FAILED, 20), finished(id(3), RunStatus.CANCELLED, 30));

      // then
      assertThat(s2.run(id(1))).isEmpty();
      assertThat(s2.runByIdempotencyKey("k1")).isEmpty();
      assertThat(s2.run(id(2))).map(RunRecord::status).contains(RunStatus.FAILED);
      assertThat(s2.run(id(3))).map(RunRecord::status).contains(RunStatus.CANCELLED);
      assertThat(s2.runByIdempotencyKey("k2")).map(RunRecord::runId).contains(id(2));
      assertThat(s2.runByIdempotencyKey("k3")).map(RunRecord::runId).contains(id(3));
      assertThat(s2.stats().runs()).as("forgetting a run does not forget its stats").isEqualTo(3);
    }

    @Test
    void evictionFollowsTheFinishOrderNotTheAcceptOrder() {
      // given
      WorkerState.Limits keepOne = new WorkerState.Limits(1, 100);
      WorkerState s = fold(WorkerState.empty(), keepOne, accepted(id(1)), accepted(id(2)));

      // when
      WorkerState s2 = fold(s, keepOne, finished(id(2), RunStatus.SUCCEEDED, 10),
          finished(id(1), RunStatus.SUCCEEDED, 20));

      // then
      assertThat(s2.run(id(2))).isEmpty();
      assertThat(s2.run(id(1))).isPresent();
    }

    @Test
    void idempotencyKeyFindsTheRunWhileActiveAndAfterItFinished() {
      // given
      WorkerState s = fold(accepted(id(1), "order-42", 0), accepted(id(2)));

      // when
      WorkerState done = fold(s, LIMITS, started(id(1), 1, 1, 5),
          finished(id(1), RunStatus.SUCCEEDED, 9));

      // then
      assertThat(s.runByIdempotencyKey("order-42")).map(RunRecord::runId).contains(id(1));
      assertThat(done.runByIdempotencyKey("order-42")).map(RunRecord::status)
          .contains(RunStatus.SUCCEEDED);
      assertThat(done.runByIdempotencyKey("order-43")).isEmpty();
      assertThat(done.runByIdempotencyKey(null)).isEmpty();
    }

    @Test
    void recordedAppliesEachInnerEventInOrder() {
      // given
      List<WorkerEvent> events = List.of(accepted(id(1)), accepted(id(2)),
          started(id(2), 1, 1, 10), checkpointed(id(2), 1, json("done", 1), 15),
          failed(id(2), 1, 20), accepted(id(3)), started(id(1), 1, 2, 30),
          finished(id(1), RunStatus.SUCCEEDED, 80));

      // when
      WorkerState recorded = WorkerState.empty()
          .apply(new WorkerEvent.Recorded(events), LIMITS);
      WorkerState oneByOne = fold(events.toArray(new WorkerEvent[0]));

      // then
      assertThat(recorded.queue()).containsExactly(id(3));
      assertThat(recorded.run(id(1))).isEqualTo(oneByOne.run(id(1)));
      assertThat(recorded.run(id(2))).isEqualTo(oneByOne.run(id(2)));
      assertThat(recorded.run(id(2)).orElseThrow().status()).isEqualTo(RunStatus.RETRYING);
      assertThat(recorded.run(id(3))).isEqualTo(oneByOne.run(id(3)));
      assertThat(recorded.stats()).isEqualTo(oneByOne.stats());
      assertThat(recorded.nextEpoch()).isEqualTo(3);
    }

    @Test
    void recordedOrderMatters() {
      // given: the start comes before its run is known
      WorkerEvent.Recorded wrongOrder = new WorkerEvent.Recorded(
          List.of(started(id(1), 1, 1, 10), accepted(id(1))));

      // when
      WorkerState s = WorkerState.empty().apply(wrongOrder, LIMITS);

      // then
      assertThat(s.queue()).containsExactly(id(1));
      assertThat(s.run(id(1)).orElseThrow().status()).isEqualTo(RunStatus.QUEUED);
      assertThat(s.nextEpoch()).isEqualTo(1);
    }

    @Test
    void recordedMayNestAndMayBeEmpty() {
      // given
      WorkerEvent.Recorded nested = new WorkerEvent.Recorded(List.of(accepted(id(1)),
          new WorkerEvent.Recorded(List.of()),
          new WorkerEvent.Recorded(List.of(accepted(id(2)), started(id(1), 1, 1, 5)))));

      // when
      WorkerState s = WorkerState.empty().apply(nested, LIMITS);

      // then
      assertThat(s.queue()).containsExactly(id(2));
      assertThat(s.executingCount()).isEqualTo(1);
    }

    @Test
    void eventsOfUnknownRunsAreIgnored() {
      // given
      WorkerState s = fold(accepted(id(1)), started(id(1), 1, 1, 10),
          finished(id(1), RunStatus.SUCCEEDED, 30), accepted(id(2)));
      String unknown = id(99);

      // when
      WorkerState s2 = fold(s, LIMITS, started(unknown, 1, 7, 40), failed(unknown, 1, 41),
          checkpointed(unknown, 7, json("done", 1), 42), interrupted(unknown, 43),
          finished(unknown, RunStatus.FAILED, 44));

      // then
      assertThat(s2.run(unknown)).isEmpty();
      assertThat(s2.queue()).containsExactly(id(2));
      assertThat(s2.activeRuns()).extracting(RunRecord::runId).containsExactly(id(2));
      assertThat(s2.nextEpoch()).isEqualTo(s.nextEpoch()).isEqualTo(2);
      assertThat(s2.stats()).isEqualTo(s.stats());
      assertThat(s2.stats().retries()).isZero();
      assertThat(s2.stats().runs()).isEqualTo(1);
    }

    @Test
    void eventsOfAFinishedRunChangeNeitherItNorTheStats() {
      // given: a run finished once; a late duplicate finish or a stale attempt comes after
      WorkerState s = fold(accepted(id(1)), started(id(1), 1, 1, 10),
          finished(id(1), RunStatus.SUCCEEDED, 30));

      // when
      WorkerState s2 = fold(s, LIMITS, finished(id(1), RunStatus.FAILED, 50),
          failed(id(1), 1, 51), started(id(1), 2, 2, 52), interrupted(id(1), 53));

      // then
      assertThat(s2.run(id(1))).isEqualTo(s.run(id(1)));
      assertThat(s2.run(id(1)).orElseThrow().status()).isEqualTo(RunStatus.SUCCEEDED);
      assertThat(s2.stats()).isEqualTo(s.stats());
      assertThat(s2.queue()).isEmpty();
      assertThat(s2.activeRuns()).isEmpty();
    }

    @Test
    void aRunKeepsTheHighestSequenceNumberItsStreamUsedOrReserved() {
      // given a run whose durable stream wrote events 1 to 3
      WorkerState s = fold(accepted(id(1)), Fixtures.streamed(id(1), 1, "status", null, 1),
          started(id(1), 1, 1, 10), Fixtures.streamed(id(1), 2, "status", null, 10),
          Fixtures.streamed(id(1), 3, "message", json("i", 1), 11));

      // when its stream turns non-durable (a reservation) and a late, lower event comes
      WorkerState reserved = fold(s, LIMITS, Fixtures.reserved(id(1), 3 + (1L << 32), 20),
          Fixtures.streamed(id(1), 2, "status", null, 21));

      // then
      assertThat(s.run(id(1)).orElseThrow().streamSeq()).isEqualTo(3);
      assertThat(reserved.run(id(1)).orElseThrow().streamSeq()).isEqualTo(3 + (1L << 32));
      assertThat(fold(accepted(id(2))).run(id(2)).orElseThrow().streamSeq()).isZero();
      assertThat(fold(reserved, LIMITS, finished(id(1), RunStatus.SUCCEEDED, 30)).run(id(1))
          .orElseThrow().streamSeq()).as("kept once finished").isEqualTo(3 + (1L << 32));
    }
  }

  @Nested
  class Scheduled {

    @Test
    void aRunWhoseStartTimeIsAheadIsScheduledAndNotQueued() {
      // when
      WorkerState s = fold(scheduled(id(1), 0, 5_000), scheduled(id(2), 1, 2_000), accepted(id(3)));

      // then
      assertThat(s.run(id(1)).orElseThrow().status()).isEqualTo(RunStatus.SCHEDULED);
      assertThat(s.run(id(1)).orElseThrow().spec().scheduledFor()).isEqualTo(at(5_000));
      assertThat(s.queue()).containsExactly(id(3));
      assertThat(s.queuedCount()).isEqualTo(1);
      assertThat(s.scheduledCount()).isEqualTo(2);
      assertThat(s.executingCount()).isZero();
      assertThat(s.nextDue()).contains(at(2_000));
      assertThat(s.dueRuns(at(1_999), 10)).isEmpty();
      assertThat(s.dueRuns(at(2_000), 10)).containsExactly(id(2));
      assertThat(s.dueRuns(at(9_000), 10)).containsExactly(id(2), id(1));
      assertThat(s.dueRuns(at(9_000), 1)).containsExactly(id(2));
      assertThat(s.stats().toWorkerStats("w", s.executingCount(), s.queuedCount(),
          s.scheduledCount()).scheduled()).isEqualTo(2);
    }

    @Test
    void aStartTimeNotAfterTheAcceptanceMeansNow() {
      // when
      WorkerState s = fold(scheduled(id(1), 1_000, 1_000), scheduled(id(2), 1_000, 10));

      // then
      assertThat(s.queue()).containsExactly(id(1), id(2));
      assertThat(s.scheduledCount()).isZero();
      assertThat(s.nextDue()).isEmpty();
    }

    @Test
    void aDueRunJoinsTheQueueOnceAndThenStartsLikeAnyOther() {
      // given
      WorkerState s = fold(accepted(id(1)), scheduled(id(2), 0, 5_000));

      // when
      WorkerState due = fold(s, LIMITS, Fixtures.due(id(2), 5_000));
      WorkerState twice = fold(due, LIMITS, Fixtures.due(id(2), 5_001));
      WorkerState started = fold(due, LIMITS, started(id(2), 1, 1, 5_010));

      // then
      assertThat(due.run(id(2)).orElseThrow().status()).isEqualTo(RunStatus.QUEUED);
      assertThat(due.queue()).containsExactly(id(1), id(2));
      assertThat(due.scheduledCount()).isZero();
      assertThat(due.nextDue()).isEmpty();
      assertThat(twice.queue()).isEqualTo(due.queue());
      assertThat(twice.run(id(2))).isEqualTo(due.run(id(2)));
      assertThat(started.queue()).containsExactly(id(1));
      assertThat(started.executingCount()).isEqualTo(1);
      assertThat(started.run(id(2)).orElseThrow().startedAt()).isEqualTo(at(5_010));
    }

    @Test
    void aScheduledRunCancelledLeavesTheScheduledRunsAndAnInterruptionChangesNothing() {
      // given
      WorkerState s = fold(scheduled(id(1), 0, 5_000), scheduled(id(2), 0, 6_000));

      // when
      WorkerState interrupted = fold(s, LIMITS, interrupted(id(1), 10));
      WorkerState cancelled = fold(s, LIMITS, finished(id(1), RunStatus.CANCELLED, 20));

      // then
      assertThat(interrupted.run(id(1))).isEqualTo(s.run(id(1)));
      assertThat(interrupted.queue()).isEmpty();
      assertThat(cancelled.run(id(1)).orElseThrow().status()).isEqualTo(RunStatus.CANCELLED);
      assertThat(cancelled.scheduledCount()).isEqualTo(1);
      assertThat(cancelled.nextDue()).contains(at(6_000));
      assertThat(cancelled.stats().cancelled()).isEqualTo(1);
      assertThat(cancelled.executingCount()).isZero();
    }
  }

  @Nested
  class Priorities {

    private RunSpec priority(int p, String key) {
      return new RunSpec(p, key, null, List.of(), null, null, null);
    }

    @Test
    void queuedRunsStartByPriorityThenInArrivalOrder() {
      // when
      WorkerState s = fold(Fixtures.accepted(id(1), 0, priority(2, null)),
          Fixtures.accepted(id(2), 1, priority(9, null)), accepted(id(3)),
          Fixtures.accepted(id(4), 3, priority(9, null)), Fixtures.accepted(id(5), 4,
              priority(2, null)));

      // then
      assertThat(s.queue()).containsExactly(id(2), id(4), id(3), id(1), id(5));
      assertThat(s.nextQueued()).contains(id(2));
      WorkerState afterTwo = fold(s, LIMITS, started(id(2), 1, 1, 10), started(id(4), 1, 2, 11));
      assertThat(afterTwo.nextQueued()).contains(id(3));
    }

    @Test
    void aRunQueuedAgainAfterItsAttemptWasLostGoesFirstOfAll() {
      // given
      WorkerState s = fold(Fixtures.accepted(id(1), 0, priority(5, null)),
          Fixtures.accepted(id(2), 1, priority(5, null)), Fixtures.accepted(id(3), 2,
              priority(9, null)), started(id(2), 1, 1, 10));

      // when
      WorkerState again = fold(s, LIMITS, interrupted(id(2), 20));

      // then
      assertThat(again.queue()).containsExactly(id(2), id(3), id(1));
      WorkerState back = WorkerState.fromSnapshot(new ArrayList<>(again.activeRuns()),
          again.queue(), List.of(), List.of(), again.stats(), again.nextEpoch());
      assertThat(back.queue()).as("from a snapshot").isEqualTo(again.queue());
    }

    @Test
    void aSnapshotKeepsPrioritiesAndTheTurnsOfKeys() {
      // given
      WorkerState s = fold(Fixtures.accepted(id(1), 0, priority(4, "a")),
          Fixtures.accepted(id(2), 1, priority(4, "a")), Fixtures.accepted(id(3), 2,
              priority(4, "b")), Fixtures.accepted(id(4), 3, priority(8, null)),
          started(id(1), 1, 1, 10));

      // when
      WorkerState back = WorkerState.fromSnapshot(new ArrayList<>(s.activeRuns()), s.queue(),
          List.of(), List.of(), s.stats(), s.nextEpoch());

      // then
      assertThat(back.queue()).isEqualTo(s.queue());
      List<ReadyQueue.Head> heads = new ArrayList<>();
      s.queueHeads().forEachRemaining(heads::add);
      List<ReadyQueue.Head> backHeads = new ArrayList<>();
      back.queueHeads().forEachRemaining(backHeads::add);
      assertThat(backHeads).isEqualTo(heads);
      assertThat(heads).extracting(ReadyQueue.Head::runId).containsExactly(id(4), id(3), id(2));
      assertThat(s.executingWithKey("a")).isEqualTo(1);
      assertThat(back.executingWithKey("a")).isEqualTo(1);
      assertThat(s.executingWithKey("b")).isZero();
    }
  }

  @Nested
  class Statistics {

    /** Accepts, starts and finishes one run, lasting {@code durationMs}, after {@code s}. */
    private WorkerState runOnce(WorkerState s, WorkerState.Limits limits, int n,
        RunStatus status, long startMs, long durationMs) {
      return fold(s, limits, accepted(id(n)), started(id(n), 1, n, startMs),
          finished(id(n), status, startMs + durationMs));
    }

    @Test
    void countsRunsByOutcomeAndErrorsAsFailedPlusTimedOut() {
      // given
      WorkerState s = WorkerState.empty();

      // when
      s = runOnce(s, LIMITS, 1, RunStatus.SUCCEEDED, 0, 100);
      s = runOnce(s, LIMITS, 2, RunStatus.SUCCEEDED, 1000, 300);
      s = runOnce(s, LIMITS, 3, RunStatus.FAILED, 2000, 50);
      s = runOnce(s, LIMITS, 4, RunStatus.TIMED_OUT, 3000, 30_000);
      s = runOnce(s, LIMITS, 5, RunStatus.CANCELLED, 40_000, 10);

      // then
      Stats st = s.stats();
      assertThat(st.runs()).isEqualTo(5);
      assertThat(st.errors()).isEqualTo(2);
      assertThat(st.succeeded()).isEqualTo(2);
      assertThat(st.failed()).isEqualTo(1);
      assertThat(st.timedOut()).isEqualTo(1);
      assertThat(st.cancelled()).isEqualTo(1);
      assertThat(st.totalRuntimeMs()).isEqualTo(100 + 300 + 50 + 30_000 + 10);
      assertThat(st.lastRunMs()).isEqualTo(10);
      assertThat(st.lastRunAt()).isEqualTo(at(40_010));
    }

    @Test
    void durationRunsFromTheFirstAttemptsStartToTheFinish() {
      // given
      WorkerState s = fold(accepted(id(1)), started(id(1), 1, 1, 1000), failed(id(1), 1, 1200),
          started(id(1), 2, 2, 3000));

      // when
      WorkerState s2 = s.apply(finished(id(1), RunStatus.SUCCEEDED, 3500), LIMITS);

      // then
      assertThat(s2.stats().lastRunMs()).isEqualTo(2500);
      assertThat(s2.stats().totalRuntimeMs()).isEqualTo(2500);
      assertThat(s2.stats().retries()).isEqualTo(1);
      assertThat(s2.stats().toWorkerStats("send-email", 0, 0, 0).p50Ms()).isEqualTo(2500);
    }

    @Test
    void meanAndPercentilesAreOverTheWindow() {
      // given: durations 1..100 ms in a shuffled order
      List<Integer> durations = new ArrayList<>();
      for (int i = 1; i <= 100; i++) {
        durations.add((i * 37) % 100 + 1);
      }
      WorkerState s = WorkerState.empty();

      // when
      for (int i = 0; i < durations.size(); i++) {
        s = runOnce(s, LIMITS, i + 1, RunStatus.SUCCEEDED, i * 1000L, durations.get(i));
      }
      WorkerStats ws = s.stats().toWorkerStats("send-email", 2, 3, 0);

      // then
      assertThat(durations).doesNotHaveDuplicates().hasSize(100);
      assertThat(ws.worker()).isEqualTo("send-email");
      assertThat(ws.runs()).isEqualTo(100);
      assertThat(ws.meanMs()).isEqualTo(50.5);
      assertThat(ws.p50Ms()).isEqualTo(50);
      assertThat(ws.p95Ms()).isEqualTo(95);
      assertThat(ws.p99Ms()).isEqualTo(99);
      assertThat(ws.totalRuntimeMs()).isEqualTo(5050);
      assertThat(ws.running()).isEqualTo(2);
      assertThat(ws.queued()).isEqualTo(3);
    }

    @Test
    void fullWindowReplacesItsOldestDuration() {
      // given: a window of 4 full of 100, 200, 300, 400 ms
      WorkerState.Limits window4 = new WorkerState.Limits(100, 4);
      WorkerState s = WorkerState.empty();
      long[] first = {100, 200, 300, 400};
      for (int i = 0; i < first.length; i++) {
        s = runOnce(s, window4, i + 1, RunStatus.SUCCEEDED, i * 1000L, first[i]);
      }
      WorkerStats full = s.stats().toWorkerStats("w", 0, 0, 0);

      // when: two short runs replace the two oldest (100 and 200), then two more (300, 400)
      WorkerState half = runOnce(runOnce(s, window4, 5, RunStatus.SUCCEEDED, 9000, 10),
          window4, 6, RunStatus.SUCCEEDED, 10_000, 20);
      WorkerState all = runOnce(runOnce(half, window4, 7, RunStatus.SUCCEEDED, 11_000, 30),
          window4, 8, RunStatus.SUCCEEDED, 12_000, 40);

      // then
      assertThat(full.p50Ms()).isEqualTo(200);
      assertThat(full.p99Ms()).isEqualTo(400);
      assertThat(half.stats().window()).containsExactlyInAnyOrder(10L, 20L, 300L, 400L);
      assertThat(half.stats().toWorkerStats("w", 0, 0, 0).p50Ms()).isEqualTo(20);
      assertThat(half.stats().toWorkerStats("w", 0, 0, 0).p99Ms()).isEqualTo(400);
      assertThat(all.stats().window()).containsExactlyInAnyOrder(10L, 20L, 30L, 40L);
      assertThat(all.stats().toWorkerStats("w", 0, 0, 0).p99Ms()).isEqualTo(40);
      assertThat(all.stats().toWorkerStats("w", 0, 0, 0).meanMs())
          .as("the mean is over all timed runs, not the window")
          .isEqualTo((100 + 200 + 300 + 400 + 10 + 20 + 30 + 40) / 8.0);
    }

    @Test
    void windowKeepsTheMostRecentDurationsWhenItsSizeGrowsBetweenStarts() {
      // given: a full window of 2 (then the entity restarts with a window of 4)
      WorkerState.Limits window2 = new WorkerState.Limits(100, 2);
      WorkerState.Limits window4 = new WorkerState.Limits(100, 4);
      WorkerState s = WorkerState.empty();
      long[] before = {100, 200, 300};
      for (int i = 0; i < before.length; i++) {
        s = runOnce(s, window2, i + 1, RunStatus.SUCCEEDED, i * 1000L, before[i]);
      }

      // when: five runs under the larger window
      long[] after = {1, 2, 3, 4, 5};
      for (int i = 0; i < after.length; i++) {
        s = runOnce(s, window4, i + 10, RunStatus.SUCCEEDED, 10_000 + i * 1000L, after[i]);
      }

      // then: the window holds the 4 most recent durations
      assertThat(s.stats().window()).containsExactlyInAnyOrder(2L, 3L, 4L, 5L);
      assertThat(s.stats().toWorkerStats("w", 0, 0, 0).p99Ms()).isEqualTo(5);
    }

    @Test
    void windowKeepsOnlyTheMostRecentDurationsWhenItsSizeShrinksBetweenStarts() {
      // given: a full window of 4 (then the entity restarts with a window of 2)
      WorkerState.Limits window4 = new WorkerState.Limits(100, 4);
      WorkerState.Limits window2 = new WorkerState.Limits(100, 2);
      WorkerState s = WorkerState.empty();
      long[] before = {100, 200, 300, 400};
      for (int i = 0; i < before.length; i++) {
        s = runOnce(s, window4, i + 1, RunStatus.SUCCEEDED, i * 1000L, before[i]);
      }

      // when: three runs under the smaller window
      long[] after = {1, 2, 3};
      for (int i = 0; i < after.length; i++) {
        s = runOnce(s, window2, i + 10, RunStatus.SUCCEEDED, 10_000 + i * 1000L, after[i]);
      }

      // then: percentiles no longer see the durations from before
      assertThat(s.stats().toWorkerStats("w", 0, 0, 0).p99Ms()).isEqualTo(3);
      assertThat(s.stats().window()).containsExactlyInAnyOrder(2L, 3L);
    }

    @Test
    void aWindowOrRetentionBelowOneIsRefusedWithTheSettingsNamed() {
      // when / then: a zero window would break every finished run's event handler
      assertThatThrownBy(() -> new WorkerState.Limits(100, 0))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("troupe.worker.stats-window");
      assertThatThrownBy(() -> new WorkerState.Limits(0, 10))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("troupe.worker.retained-finished-runs");
    }

    @Test
    void runCancelledWhileQueuedCountsButHasNoDuration() {
      // given
      WorkerState s = runOnce(WorkerState.empty(), LIMITS, 1, RunStatus.SUCCEEDED, 0, 200);
      s = fold(s, LIMITS, accepted(id(2)));

      // when
      WorkerState s2 = s.apply(finished(id(2), RunStatus.CANCELLED, 5000), LIMITS);

      // then
      Stats st = s2.stats();
      WorkerStats ws = st.toWorkerStats("w", 0, 0, 0);
      assertThat(st.runs()).isEqualTo(2);
      assertThat(st.cancelled()).isEqualTo(1);
      assertThat(st.errors()).isZero();
      assertThat(st.totalRuntimeMs()).isEqualTo(200);
      assertThat(st.lastRunMs()).as("unchanged by a run that never started").isEqualTo(200);
      assertThat(st.lastRunAt()).isEqualTo(at(5000));
      assertThat(ws.meanMs()).isEqualTo(200.0);
      assertThat(ws.p50Ms()).isEqualTo(200);
      assertThat(st.window()).containsExactly(200L);
    }

    @Test
    void emptyStatsAreZero() {
      // given
      WorkerState s = fold(accepted(id(1)));

      // when
      WorkerStats ws = s.stats().toWorkerStats("w", s.executingCount(), s.queuedCount(),
          s.scheduledCount());

      // then
      assertThat(ws).isEqualTo(new WorkerStats("w", 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0.0,
          0, 0, 0, null));
    }
  }
}
