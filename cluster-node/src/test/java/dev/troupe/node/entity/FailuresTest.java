package dev.troupe.node.entity;

import static org.assertj.core.api.Assertions.assertThat;

import dev.troupe.api.RunRejectedException;
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
}
