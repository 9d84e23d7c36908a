package dev.troupe.node.history;

import dev.troupe.persistence.RunHistoryStore.Entry;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The entries of a batch that the tag query skipped: every journal entry of a worker entity is
 * tagged for the history, so its sequence numbers reach the history without holes, and a hole
 * is an entry the query gave up on (a commit that became visible after the query's wait).
 */
final class JournalGaps {

  /** Sequence numbers {@code from} to {@code to} of entity {@code persistenceId}, missing. */
  record Gap(String persistenceId, long from, long to) {}

  private JournalGaps() {}

  /**
   * The gaps before and between {@code entries} (journal order), given the last sequence number
   * the history applied of each entity ({@code applied}; an entity absent there is not checked
   * before its first entry of the batch). Entries at or below what was applied are replays.
   */
  static List<Gap> find(List<Entry> entries, Map<String, Long> applied) {
    Map<String, Long> next = new HashMap<>();
    applied.forEach((pid, seq) -> next.put(pid, seq + 1));
    List<Gap> gaps = new ArrayList<>();
    for (Entry e : entries) {
      Long expected = next.get(e.persistenceId());
      if (expected != null && e.sequenceNr() > expected) {
        gaps.add(new Gap(e.persistenceId(), expected, e.sequenceNr() - 1));
      }
      next.put(e.persistenceId(), Math.max(expected == null ? 0 : expected, e.sequenceNr() + 1));
    }
    return gaps;
  }
}
