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
}
