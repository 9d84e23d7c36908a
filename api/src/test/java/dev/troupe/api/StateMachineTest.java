package dev.troupe.api;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** A state machine's definition is checked when it is built; running it is tested on a node. */
class StateMachineTest {

  @Test
  void aTransitionToAStateThatIsNotDefinedIsRefused() {
    // given
    StateMachine.Builder b = StateMachine.startAt("a")
        .task("a", "w", (in, prev) -> in, "b", "failed")
        .failAt("failed");
    // when, then
    assertThatThrownBy(b::build).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("state 'a' goes to 'b'");
  }

  @Test
  void anUndefinedInitialStateOrATwiceDefinedOneIsRefused() {
    // when, then
    assertThatThrownBy(() -> StateMachine.startAt("start").succeedAt("done").build())
        .hasMessageContaining("initial state 'start'");
    assertThatThrownBy(() -> StateMachine.startAt("a").succeedAt("a").failAt("a"))
        .hasMessageContaining("'a' is defined twice");
  }
}
