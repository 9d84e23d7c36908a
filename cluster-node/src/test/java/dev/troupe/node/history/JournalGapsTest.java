package dev.troupe.node.history;

import static org.assertj.core.api.Assertions.assertThat;

import dev.troupe.persistence.RunHistoryStore.Entry;
import dev.troupe.persistence.WorkerEvent;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JournalGapsTest {
  private static final WorkerEvent E = new WorkerEvent.RunInterrupted("r", Instant.EPOCH);

  private static Entry entry(String pid, long seq) {
    return new Entry(pid, seq, E);
  }

  @Test
  void consecutiveEntriesAfterWhatWasAppliedHaveNoGap() {
    // given entity a applied up to 3
    Map<String, Long> applied = Map.of("worker|a", 3L);

    // when 4 and 5 arrive
    List<JournalGaps.Gap> gaps = JournalGaps.find(List.of(entry("worker|a", 4),
        entry("worker|a", 5)), applied);

    // then
    assertThat(gaps).isEmpty();
  }

  @Test
  void anEntryAfterAHoleNamesTheMissingSequenceNumbers() {
    // given entity a applied up to 3, and a new entity b
    Map<String, Long> applied = Map.of("worker|a", 3L, "worker|b", 0L);

    // when a's 6 arrives, b's 2 and 3, then a's 9
    List<JournalGaps.Gap> gaps = JournalGaps.find(List.of(entry("worker|a", 6),
        entry("worker|b", 2), entry("worker|b", 3), entry("worker|a", 9)), applied);

    // then 4-5 and 7-8 of a and 1 of b are missing
    assertThat(gaps).containsExactly(new JournalGaps.Gap("worker|a", 4, 5),
        new JournalGaps.Gap("worker|b", 1, 1), new JournalGaps.Gap("worker|a", 7, 8));
  }

  @Test
  void replaysAndEntitiesOfUnknownContinuityAreNotGaps() {
    // given entity a applied up to 5; c's continuity is not known
    Map<String, Long> applied = Map.of("worker|a", 5L);

    // when a's 2 (a replay) and c's 40 and 41 arrive
    List<JournalGaps.Gap> gaps = JournalGaps.find(List.of(entry("worker|a", 2),
        entry("worker|c", 40), entry("worker|c", 41)), applied);

    // then
    assertThat(gaps).isEmpty();
  }
}
