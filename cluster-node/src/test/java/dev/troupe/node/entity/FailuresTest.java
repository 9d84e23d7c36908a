package dev.troupe.node.entity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.troupe.api.RunRejectedException;
import dev.troupe.api.TroupeException;
import java.util.concurrent.CompletionException;
import org.apache.pekko.pattern.AskTimeoutException;
import org.junit.jupiter.api.Test;

/** What a caller is told of a failed ask: the API's exception, never the runtime's insides. */
class FailuresTest {

  @Test
  void anAskTimeoutBecomesUnavailableWithoutActorPathsOrClassNames() {
    // given the ask's own message, as Pekko writes it
    AskTimeoutException timeout = new AskTimeoutException("Ask timed out on"
        + " [EntityRef(EntityTypeKey[dev.troupe.node.entity.WorkerEntity$Command](worker), echo)]"
        + " after [10000 ms]. Message of type [dev.troupe.node.entity.WorkerEntity$Call]."
        + " A typical reason for `AskTimeoutException` is that the recipient actor didn't send a"
        + " reply.");

    // when
    Throwable e = Failures.toException(timeout);

    // then
    assertThat(e).isInstanceOf(RunRejectedException.class);
    assertThat(((RunRejectedException) e).reason())
        .isEqualTo(RunRejectedException.Reason.UNAVAILABLE);
    assertThat(e.getMessage()).contains("troupe.ask-timeout").contains("idempotencyKey")
        .doesNotContain("dev.troupe").doesNotContain("EntityRef").doesNotContain("$");
  }

  @Test
  void everyRefusalBecomesTheApisExceptionAndBackWithItsReasonAndMessage() {
    for (WorkerEntity.Refused.Reason reason : WorkerEntity.Refused.Reason.values()) {
      // given
      WorkerEntity.Refused refused = new WorkerEntity.Refused(reason, "why: " + reason);

      // when
      TroupeException e = Failures.toException(refused);

      // then
      assertThat(e.getMessage()).isEqualTo("why: " + reason);
      assertThat(Failures.toRefusal(new CompletionException(e))).isEqualTo(refused);
    }
  }

  @Test
  void aRefusedReplyIsThrownAndAnAnswerIsReturned() {
    // given
    WorkerEntity.CallReply accepted = new WorkerEntity.Accepted("r1", false);
    WorkerEntity.CallReply full = new WorkerEntity.Refused(WorkerEntity.Refused.Reason.QUEUE_FULL,
        "worker 'echo' has 10 runs waiting");

    // when / then
    assertThat(Failures.answer(accepted, WorkerEntity.Accepted.class)).isEqualTo(accepted);
    assertThatThrownBy(() -> Failures.answer(full, WorkerEntity.Accepted.class))
        .isInstanceOfSatisfying(RunRejectedException.class, r ->
            assertThat(r.reason()).isEqualTo(RunRejectedException.Reason.QUEUE_FULL))
        .hasMessage("worker 'echo' has 10 runs waiting");
  }
}
