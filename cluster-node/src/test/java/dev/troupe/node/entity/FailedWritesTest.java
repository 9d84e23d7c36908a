package dev.troupe.node.entity;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.troupe.node.run.Outcome;
import java.sql.SQLException;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * Whether a worker entity's runs stay across the restart after a failed write, and what its front
 * is told then.
 */
class FailedWritesTest {
  private final FailedWrites writes = new FailedWrites("w",
      LoggerFactory.getLogger(FailedWritesTest.class));
  private final AtomicInteger letGo = new AtomicInteger();

  private static WorkerEntity.Call call() {
    return new WorkerEntity.Call(JsonNodeFactory.instance.objectNode(), 0, null, List.of(), null);
  }

  private static WorkerEntity.Batch batch(WorkerEntity.Command... commands) {
    return new WorkerEntity.Batch(List.of(commands), 7, null);
  }

  private static final SQLException REFUSED = new SQLException("refused by a trigger", "45000");

  @Test
  void aBatchOfWhichNothingWasWrittenKeepsTheRunsAndIsIsolatedByTheFront() {
    // given a batch whose write the database refused
    writes.writing(batch(call(), call()), 5);
    writes.failed(new RuntimeException(REFUSED), false, false);

    // when the core restarts and recovers the journal, which ends before the write
    boolean kept = writes.keepRuns();
    WorkerEntity.CoreRecovered told = writes.recovered(5, letGo::incrementAndGet);

    // then the runs stayed, and the front isolates the batch, naming the database's SQLState only
    assertThat(kept).isTrue();
    assertThat(letGo).hasValue(0);
    assertThat(told).isEqualTo(new WorkerEntity.CoreRecovered(7, false,
        "the database refused the write (SQLState 45000)"));
    assertThat(writes.recovered(5, letGo::incrementAndGet))
        .isEqualTo(WorkerEntity.CoreRecovered.CLEAN);
  }

  @Test
  void aFailedWriteThatRecoveryFindsInTheJournalLetsTheRunsGoAndIsNotTriedAgain() {
    // given a write that failed after its commit (a lost connection)
    writes.writing(batch(call(), call()), 5);
    writes.failed(new SQLException("connection lost", "08006"), false, false);
    assertThat(writes.keepRuns()).isTrue();

    // when recovery finds it written
    WorkerEntity.CoreRecovered told = writes.recovered(6, letGo::incrementAndGet);

    // then the runs are let go now, and the front does not decide its commands again
    assertThat(letGo).hasValue(1);
    assertThat(told.written()).isTrue();
  }

  @Test
  void aSequenceConflictARunsReportDecidedAloneAndAFailedRecoveryLetTheRunsGo() {
    // a taken sequence number (the fence): nothing to isolate
    writes.writing(batch(call(), call()), 5);
    writes.failed(new SQLException("duplicate key", "23505"), false, true);
    assertThat(writes.keepRuns()).isFalse();
    assertThat(writes.recovered(5, letGo::incrementAndGet).refusal()).isNull();

    // a run's outcome decided alone: it cannot be refused, and its run would wait for it for good
    writes.writing(batch(new WorkerEntity.AttemptOutcome("r", 1, Outcome.SUCCEEDED, null,
        null)), 5);
    writes.failed(REFUSED, false, false);
    assertThat(writes.keepRuns()).isFalse();
    writes.recovered(5, letGo::incrementAndGet);

    // a rejected batch whose recovery then fails: the second restart lets the runs go
    writes.writing(batch(call(), call()), 5);
    writes.failed(new IllegalArgumentException("too deep"), true, false);
    assertThat(writes.keepRuns()).isTrue();
    assertThat(writes.keepRuns()).isFalse();
    assertThat(writes.recovered(5, letGo::incrementAndGet).refusal())
        .isEqualTo("its serializer rejected the events: too deep");
  }
}
