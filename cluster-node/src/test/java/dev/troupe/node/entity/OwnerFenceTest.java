package dev.troupe.node.entity;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.BatchUpdateException;
import java.sql.SQLException;
import java.sql.SQLIntegrityConstraintViolationException;
import org.junit.jupiter.api.Test;

/** Which journal failures mean that another node wrote the entity's next sequence number. */
class OwnerFenceTest {

  @Test
  void aUniqueViolationAnywhereInTheCausesIsASequenceConflict() {
    // given the journal's refusal as PostgreSQL's driver reports it, wrapped by the plugin
    SQLException duplicate = new SQLException("ERROR: duplicate key value violates unique"
        + " constraint \"event_journal_pkey\"", "23505");
    // and as a batch of inserts reports it: the cause in the next exception
    BatchUpdateException batch = new BatchUpdateException("Batch entry 0 was aborted", "40000", new int[0]);
    batch.setNextException(new SQLIntegrityConstraintViolationException("duplicate", "23505"));

    // when / then
    assertThat(OwnerFence.isSequenceConflict(new RuntimeException("write failed", duplicate))).isTrue();
    assertThat(OwnerFence.isSequenceConflict(new IllegalStateException(batch))).isTrue();
  }

  @Test
  void anyOtherJournalFailureIsNot() {
    // given a lost connection, a serialization failure, a timeout
    SQLException connection = new SQLException("connection refused", "08001");
    Exception serialization = new IllegalArgumentException("cannot serialize");
    Exception timeout = new java.util.concurrent.TimeoutException("circuit breaker timed out");

    // when / then
    assertThat(OwnerFence.isSequenceConflict(new RuntimeException(connection))).isFalse();
    assertThat(OwnerFence.isSequenceConflict(serialization)).isFalse();
    assertThat(OwnerFence.isSequenceConflict(timeout)).isFalse();
  }
}
