package dev.troupe.api;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class LogLineTest {
  @Test
  void placeholdersTakeTheArgumentsInOrderAndATrailingThrowableIsKeptApart() {
    // given
    IllegalStateException boom = new IllegalStateException("boom");
    // when
    LogLine line = LogLine.format("sent {} of {}", 2, 3, boom);
    // then
    assertThat(line.message()).isEqualTo("sent 2 of 3");
    assertThat(line.thrown()).isSameAs(boom);
    assertThat(line.withThrown()).isEqualTo("sent 2 of 3: java.lang.IllegalStateException: boom");
  }

  @Test
  void aThrowableTakenByAPlaceholderIsAnArgument() {
    // given / when
    LogLine line = LogLine.format("failed: {}", new IllegalStateException("boom"));
    // then
    assertThat(line.message()).isEqualTo("failed: java.lang.IllegalStateException: boom");
    assertThat(line.thrown()).isNull();
  }

  @Test
  void placeholdersWithoutArgumentsStay() {
    // given / when / then
    assertThat(LogLine.format("a {} b {}", "x").message()).isEqualTo("a x b {}");
    assertThat(LogLine.format("no placeholders").message()).isEqualTo("no placeholders");
  }
}
