package dev.troupe.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class WorkerConfigTest {

  @Test
  void maxConcurrentPerKeyIsNoneByDefaultAndAtLeastOneWhenSet() {
    assertThat(WorkerConfig.DEFAULT.maxConcurrentPerKey()).isNull();
    assertThat(WorkerConfig.DEFAULT.withMaxConcurrentPerKey(2).maxConcurrentPerKey()).isEqualTo(2);
    assertThat(WorkerConfig.DEFAULT.withMaxConcurrentPerKey(2).withMaxConcurrent(3)
        .maxConcurrentPerKey()).as("kept by the other builders").isEqualTo(2);
    assertThatThrownBy(() -> WorkerConfig.DEFAULT.withMaxConcurrentPerKey(0))
        .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("maxConcurrentPerKey");
  }

  @Test
  void aRateLimitIsCheckedAndKeptByTheOtherBuilders() {
    RateLimit limit = RateLimit.perKey(10, java.time.Duration.ofSeconds(1));
    assertThat(WorkerConfig.DEFAULT.rateLimit()).isNull();
    assertThat(WorkerConfig.DEFAULT.withRateLimit(limit).withMaxConcurrent(2).rateLimit())
        .isEqualTo(limit);
    assertThat(limit.perKey()).isTrue();
    assertThat(RateLimit.of(1, java.time.Duration.ofMillis(1)).perKey()).isFalse();
    assertThatThrownBy(() -> RateLimit.of(0, java.time.Duration.ofSeconds(1)))
        .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("starts");
    assertThatThrownBy(() -> RateLimit.of(1, java.time.Duration.ZERO))
        .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("per");
    assertThatThrownBy(() -> RateLimit.of(1, java.time.Duration.ofDays(31)))
        .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("per");
  }
}
