package dev.troupe.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Registering a batch worker whose batches may be child runs: the part's definition beside it. */
class BatchRegistrationTest {
  /** Keeps the names and configurations registered, in order. */
  static final class Names implements WorkerRegistrar {
    final Map<String, WorkerConfig> registered = new LinkedHashMap<>();

    @Override
    public void register(String name, WorkerConfig config, Worker worker) {
      registered.put(WorkerNames.validate(name), config);
    }

    @Override
    public void registerBlocking(String name, WorkerConfig config, BlockingWorker worker) {
      registered.put(WorkerNames.validate(name), config);
    }

    @Override
    public void schedule(Schedule schedule) {}
  }

  record Next(int index) {}

  static final class Ints implements BatchWorker<Integer, Integer, Next, Integer> {
    @Override
    public List<Integer> batches(Integer payload, Next last) {
      return List.of(payload);
    }

    @Override
    public Next process(Integer batch, WorkerContext ctx) {
      return new Next(batch);
    }

    @Override
    public Integer finish(BatchSummary<Integer, Next> summary, WorkerContext ctx) {
      return summary.batches();
    }
  }

  @Test
  void aBatchWorkerWithAPartConfigurationRegistersItsPartBesideIt() {
    // given
    Names registrar = new Names();
    WorkerConfig part = WorkerConfig.DEFAULT.withMaxConcurrent(7);

    // when
    registrar.batch("ints", Integer.class, WorkerConfig.DEFAULT, new Ints(), part);

    // then
    assertThat(registrar.registered).containsExactly(Map.entry("ints", WorkerConfig.DEFAULT),
        Map.entry("ints-part", part));
    assertThat(new Ints().batchType()).isEqualTo(Integer.class);
  }

  @Test
  void aNameTooLongForItsPartIsRefusedBeforeAnythingIsRegistered() {
    // given a name of 59 characters: its part's would have 64
    Names registrar = new Names();
    String name = "b".repeat(59);

    // when / then
    assertThatThrownBy(() -> registrar.batch(name, Integer.class, WorkerConfig.DEFAULT,
        new Ints(), WorkerConfig.DEFAULT)).isInstanceOf(InvalidArgumentException.class)
        .hasMessageContaining(name + "-part");
    assertThat(registrar.registered).isEmpty();
    assertThat(Batches.partName("b".repeat(58))).hasSize(63);
  }

  @Test
  void aSummaryOfBatchesOneAfterTheOtherHasNoCheckpointsList() {
    // when
    BatchWorker.BatchSummary<String, Next> s =
        new BatchWorker.BatchSummary<>("p", new Next(3), 3, 1);

    // then
    assertThat(s.checkpoints()).isEmpty();
    assertThat(s.lastCheckpoint()).isEqualTo(new Next(3));
  }
}
