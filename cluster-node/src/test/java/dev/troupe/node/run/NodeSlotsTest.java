package dev.troupe.node.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.typesafe.config.ConfigFactory;
import dev.troupe.node.config.TroupeSettings;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class NodeSlotsTest {

  @Test
  void aDefinitionWithANodeLimitTakesNoMoreSlotsThanItWhileOthersGoOn() {
    // given a node of 3 slots, on which gpu-inference may run 1 at a time
    NodeSlots slots = new NodeSlots(3, Map.of("gpu-inference", 1));

    // when / then
    assertThat(slots.tryAcquire("gpu-inference")).isTrue();
    assertThat(slots.tryAcquire("gpu-inference")).as("its own cap").isFalse();
    assertThat(slots.tryAcquire("echo")).isTrue();
    assertThat(slots.tryAcquire("echo")).isTrue();
    assertThat(slots.tryAcquire("echo")).as("the node's cap").isFalse();
    assertThat(slots.usedBy("gpu-inference")).isEqualTo(1);
    assertThat(slots.usedBy("echo")).as("no cap of its own").isEqualTo(-1);
  }

  @Test
  void aRefusedRunOfACappedDefinitionTakesNothingFromTheNode() {
    // given
    NodeSlots slots = new NodeSlots(2, Map.of("gpu-inference", 1));
    assertThat(slots.tryAcquire("gpu-inference")).isTrue();

    // when
    boolean second = slots.tryAcquire("gpu-inference");

    // then
    assertThat(second).isFalse();
    assertThat(slots.tryAcquire("echo")).isTrue();
  }

  @Test
  void aWaiterIsWokenWhenTheDefinitionReleasesASlot() {
    // given a waiter of gpu-inference, whose one slot is taken
    NodeSlots slots = new NodeSlots(10, Map.of("gpu-inference", 1));
    slots.tryAcquire("gpu-inference");
    AtomicInteger woken = new AtomicInteger();
    Runnable wake = woken::incrementAndGet;
    slots.await("gpu-inference", wake);
    assertThat(woken).as("not while its cap is reached, though the node has slots").hasValue(0);

    // when
    slots.release("gpu-inference", 1);

    // then
    assertThat(woken).hasValue(1);
    assertThat(slots.tryAcquire("gpu-inference")).isTrue();
  }

  @Test
  void theLimitsAreReadFromTheNodesSettingsAndChecked() {
    // when
    TroupeSettings settings = TroupeSettings.fromConfig(ConfigFactory.parseString(
        "troupe.node.worker-limits { gpu-inference = 1, thumbnail = 4 }")
        .withFallback(ConfigFactory.load()));

    // then
    assertThat(settings.workerLimits()).containsExactlyInAnyOrderEntriesOf(
        Map.of("gpu-inference", 1, "thumbnail", 4));
    assertThat(TroupeSettings.fromConfig(ConfigFactory.load()).workerLimits()).isEmpty();
    assertThatThrownBy(() -> TroupeSettings.fromConfig(ConfigFactory.parseString(
        "troupe.node.worker-limits { gpu-inference = 0 }").withFallback(ConfigFactory.load())))
        .hasMessageContaining("troupe.node.worker-limits.gpu-inference");
    assertThatThrownBy(() -> TroupeSettings.fromConfig(ConfigFactory.parseString(
        "troupe.node.worker-limits { GPU = 1 }").withFallback(ConfigFactory.load())))
        .hasMessageContaining("troupe.node.worker-limits");
  }

  @Test
  void blockingHandlersTakeNoMoreSlotsThanTheirThreadsWhileOtherHandlersGoOn() {
    // given a node of 4 slots whose blocking handlers have 2 threads, "report" being blocking
    NodeSlots slots = new NodeSlots(4, Map.of(), 2, "report"::equals);

    // when / then
    assertThat(slots.tryAcquire("report")).isTrue();
    assertThat(slots.tryAcquire("report")).isTrue();
    assertThat(slots.tryAcquire("report")).as("the blocking threads' cap").isFalse();
    assertThat(slots.tryAcquire("echo")).as("an async handler needs no thread").isTrue();
    slots.release("report", 1);
    assertThat(slots.tryAcquire("report")).isTrue();
    assertThat(slots.tryAcquire("echo")).isTrue();
    assertThat(slots.tryAcquire("echo")).as("the node's cap").isFalse();
  }
}
