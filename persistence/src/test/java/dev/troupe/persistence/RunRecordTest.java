package dev.troupe.persistence;

import static dev.troupe.persistence.Fixtures.accepted;
import static dev.troupe.persistence.Fixtures.at;
import static dev.troupe.persistence.Fixtures.failed;
import static dev.troupe.persistence.Fixtures.finished;
import static dev.troupe.persistence.Fixtures.id;
import static dev.troupe.persistence.Fixtures.interrupted;
import static dev.troupe.persistence.Fixtures.started;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.troupe.api.ErrorCode;
import dev.troupe.api.RunError;
import dev.troupe.api.RunStatus;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@link RunRecord#next}, the transition that the entity's state and the run history share. */
class RunRecordTest {

  @Test
  void aRunGoesThroughItsLifecycle() {
    // given
    RunRecord queued = RunRecord.accepted(accepted(id(1), null, 0));
    // when
    RunRecord running = queued.next(started(id(1), 1, 7, 10));
    RunRecord retrying = running.next(failed(id(1), 1, 20));
    RunRecord again = retrying.next(started(id(1), 2, 8, 30));
    RunRecord done = again.next(finished(id(1), RunStatus.SUCCEEDED, 110));
    // then
    assertThat(running.status()).isEqualTo(RunStatus.RUNNING);
    assertThat(running.epoch()).isEqualTo(7);
    assertThat(retrying.status()).isEqualTo(RunStatus.RETRYING);
    assertThat(retrying.error()).isNotNull();
    assertThat(again.attempts()).isEqualTo(2);
    assertThat(again.startedAt()).isEqualTo(running.startedAt());
    assertThat(done.status()).isEqualTo(RunStatus.SUCCEEDED);
    assertThat(done.durationMs()).isEqualTo(100);
  }

  @Test
  void aRunShowsTheTraceIdOfTheTraceContextItsSpecRecords() {
    // given a run accepted with a trace context, and one without
    RunRecord traced = RunRecord.accepted(accepted(id(1), 0, RunSpec.DEFAULT.withTraceParent(
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")));
    RunRecord untraced = RunRecord.accepted(accepted(id(2), null, 0));
    // when
    String tracedId = traced.toResult("w").traceId();
    String untracedId = untraced.toResult("w").traceId();
    // then
    assertThat(tracedId).isEqualTo("4bf92f3577b34da6a3ce929d0e0e4736");
    assertThat(untracedId).isNull();
  }

  @Test
  void eventsThatChangeNothingReturnTheSameRecord() {
    // given
    RunRecord queued = RunRecord.accepted(accepted(id(1), null, 0));
    RunRecord done = queued.next(finished(id(1), RunStatus.CANCELLED, 5));
    // when / then
    assertThat(queued.next(interrupted(id(1), 3))).isSameAs(queued);
    assertThat(done.next(started(id(1), 1, 1, 10))).isSameAs(done);
    assertThat(done.next(interrupted(id(1), 11))).isSameAs(done);
  }

  @Test
  void acceptanceAndBatchesAreNotChangesOfARun() {
    // given
    RunRecord queued = RunRecord.accepted(accepted(id(1), null, 0));
    // when / then
    assertThatThrownBy(() -> queued.next(accepted(id(1), null, 1)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> queued.next(new WorkerEvent.Recorded(List.of())))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void stepsAreKeptInFirstRunOrderEachAsLastRecordedAndLoseTheirResultsWhenTheRunEnds() {
    // given a running run
    RunRecord running = RunRecord.accepted(accepted(id(1), null, 0))
        .next(started(id(1), 1, 7, 10));
    StepRecord a = StepRecord.succeeded("a", "java.lang.String",
        TextNode.valueOf("A"), "undo-a");
    StepRecord bFailed = StepRecord.failed("b", "java.lang.Integer", "boom", null);
    StepRecord bDone = StepRecord.succeeded("b", "java.lang.Integer",
        IntNode.valueOf(2), null);
    // when
    RunRecord stepped = running
        .next(new WorkerEvent.StepRecorded(id(1), 7, a, at(11)))
        .next(new WorkerEvent.StepRecorded(id(1), 7, bFailed, at(12)))
        .next(new WorkerEvent.StepRecorded(id(1), 7, bDone, at(13)))
        .next(new WorkerEvent.StepRecorded(id(1), 7, a.compensated(true, null), at(14)));
    RunRecord cancelling = stepped.next(new WorkerEvent.CancelRequested(id(1), at(15)));
    RunRecord done = cancelling.next(finished(id(1), RunStatus.CANCELLED, 20));
    // then
    assertThat(stepped.steps()).containsExactly(a.compensated(true, null), bDone);
    assertThat(stepped.cancelling()).isFalse();
    assertThat(cancelling.cancelling()).isTrue();
    assertThat(cancelling.status()).isEqualTo(RunStatus.RUNNING);
    assertThat(done.steps()).extracting(StepRecord::result).containsOnlyNulls();
    assertThat(done.toResult("w").steps()).isEqualTo(stepped.toResult("w").steps());
  }

  @Test
  void aHandedOverAttemptIsGivenBackExceptOneThatOnlyCompensates() {
    // given a run executing attempt 1, and one executing the attempt that compensates its failure
    RunRecord running = RunRecord.accepted(accepted(id(1), null, 0))
        .next(started(id(1), 1, 7, 10));
    RunRecord compensating = running.next(new WorkerEvent.FailureCompensationRequested(id(1),
        new RunError(ErrorCode.TRANSIENT_ERROR, "lost"), at(11))).next(interrupted(id(1), 12));
    compensating = compensating.next(started(id(1), compensating.nextAttempt(), 8, 13));

    // when each is handed over
    RunRecord handed = running.next(new WorkerEvent.AttemptHandedOver(id(1), 1, 7, at(20)));
    RunRecord handedCompensating = compensating.next(
        new WorkerEvent.AttemptHandedOver(id(1), 1, 8, at(21)));

    // then each waits, and its next attempt is the one it was running
    assertThat(handed.status()).isEqualTo(RunStatus.QUEUED);
    assertThat(handed.nextAttempt()).isEqualTo(1);
    assertThat(handed.startedAt()).isEqualTo(running.startedAt());
    assertThat(compensating.attempts()).isEqualTo(1);
    assertThat(handedCompensating.status()).isEqualTo(RunStatus.QUEUED);
    assertThat(handedCompensating.nextAttempt()).isEqualTo(1);
  }

  @Test
  void aFailureWaitingForCompensationsKeepsItsErrorUntilTheRunEnds() {
    // given an executing run
    RunRecord running = RunRecord.accepted(accepted(id(1), null, 0))
        .next(started(id(1), 1, 7, 10));
    RunError lost = new RunError(ErrorCode.TRANSIENT_ERROR, "lost");

    // when its failure waits for its compensations, it is queued again, then ends
    RunRecord failing = running.next(
        new WorkerEvent.FailureCompensationRequested(id(1), lost, at(11)));
    RunRecord queued = failing.next(interrupted(id(1), 12));
    RunRecord done = queued.next(finished(id(1), RunStatus.FAILED, 20));

    // then
    assertThat(running.failing()).isNull();
    assertThat(running.isCompensating()).isFalse();
    assertThat(failing.failing()).isEqualTo(lost);
    assertThat(failing.isCompensating()).isTrue();
    assertThat(failing.status()).isEqualTo(RunStatus.RUNNING);
    assertThat(queued.status()).isEqualTo(RunStatus.QUEUED);
    assertThat(queued.failing()).isEqualTo(lost);
    assertThat(done.status()).isEqualTo(RunStatus.FAILED);
  }
}
