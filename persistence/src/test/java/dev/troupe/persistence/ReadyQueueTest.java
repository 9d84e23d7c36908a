package dev.troupe.persistence;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ReadyQueueTest {

  /** The runs in the order they start when every lane may start. */
  private static List<String> startOrder(ReadyQueue q) {
    List<String> out = new ArrayList<>();
    while (!q.isEmpty()) {
      String next = q.heads().next().runId();
      out.add(next);
      q = q.served(next);
    }
    return out;
  }

  @Test
  void higherPriorityFirstAndFirstInFirstOutWithinAPriority() {
    // given
    ReadyQueue q = ReadyQueue.EMPTY.enqueue("a", 4, null).enqueue("b", 9, null)
        .enqueue("c", 0, null).enqueue("d", 9, null).enqueue("e", 4, null);

    // when / then
    assertThat(startOrder(q)).containsExactly("b", "d", "a", "e", "c");
    assertThat(q.size()).isEqualTo(5);
    assertThat(q.heads().map(ReadyQueue.Head::runId).toJavaList()).containsExactly("b", "a", "c");
  }

  @Test
  void lanesOfOnePriorityAreServedInTurnSoAKeyWithManyRunsDelaysAnotherByOneStartAtMost() {
    // given tenant a with 1000 queued runs, then b and the runs without key with one each
    ReadyQueue q = ReadyQueue.EMPTY;
    for (int i = 0; i < 1000; i++) {
      q = q.enqueue("a" + i, 4, "tenant-a");
    }
    q = q.enqueue("b0", 4, "tenant-b").enqueue("n0", 4, null);

    // when
    List<String> order = startOrder(q);

    // then
    assertThat(order.subList(0, 5)).containsExactly("a0", "b0", "n0", "a1", "a2");
    assertThat(order).hasSize(1002);
  }

  @Test
  void aResumedRunGoesAheadOfEveryPriorityFirstInItsLaneAndItsLaneFirstInItsTurn() {
    // given
    ReadyQueue q = ReadyQueue.EMPTY.enqueue("a1", 4, "a").enqueue("b1", 4, "b")
        .enqueue("a2", 4, "a").enqueue("top", 9, null);

    // when
    ReadyQueue again = q.resume("b0", "b").resume("x", "c").resume("b-1", "b");

    // then
    assertThat(startOrder(again)).containsExactly("b-1", "x", "b0", "top", "a1", "b1", "a2");
  }

  @Test
  void anyRunCanBeRemovedAndEmptyLanesAndPrioritiesGo() {
    // given
    ReadyQueue q = ReadyQueue.EMPTY.enqueue("a", 4, "k").enqueue("b", 4, "k")
        .enqueue("c", 7, null);

    // when
    ReadyQueue removed = q.remove("b").remove("c").remove("nope");

    // then
    assertThat(removed.toList()).containsExactly("a");
    assertThat(removed.contains("b")).isFalse();
    assertThat(removed.heads().toJavaList()).containsExactly(new ReadyQueue.Head("a", "k"));
    assertThat(removed.remove("a").isEmpty()).isTrue();
    assertThat(removed.remove("a").heads().hasNext()).isFalse();
    assertThat(q.toList()).as("the old queue is untouched").containsExactly("c", "a", "b");
  }

  @Test
  void itsListRebuildsTheSameOrder() {
    // given lanes served in some order
    ReadyQueue q = ReadyQueue.EMPTY;
    for (int i = 0; i < 5; i++) {
      q = q.enqueue("a" + i, 4, "a").enqueue("b" + i, 4, "b").enqueue("n" + i, 2, null);
    }
    q = q.served("a0").served("b0").served("a1").resume("z", "b").resume("y", "a");
    ReadyQueue rebuilt = ReadyQueue.EMPTY;
    for (String id : q.toList()) {
      String lane = id.startsWith("n") ? null
          : id.startsWith("a") || id.equals("y") ? "a" : "b";
      rebuilt = id.equals("z") || id.equals("y") ? rebuilt.enqueueResumed(id, lane)
          : rebuilt.enqueue(id, id.startsWith("n") ? 2 : 4, lane);
    }

    // when / then
    assertThat(startOrder(rebuilt)).containsExactlyElementsOf(startOrder(q));
  }

  @Test
  void manyRunsStayCheapToServe() {
    // given
    ReadyQueue q = ReadyQueue.EMPTY;
    for (int i = 0; i < 100_000; i++) {
      q = q.enqueue("r" + i, i % 10, "k" + (i % 100));
    }

    // when
    for (int i = 0; i < 100_000; i++) {
      q = q.served(q.heads().next().runId());
    }

    // then
    assertThat(q.isEmpty()).isTrue();
  }
}
