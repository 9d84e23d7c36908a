package dev.troupe.persistence.history;

import dev.troupe.persistence.RunHistory;
import dev.troupe.persistence.RunHistoryStore.Entry;
import dev.troupe.persistence.RunHistoryStore;
import dev.troupe.persistence.WorkerEvent;
import dev.troupe.persistence.WorkerEvents;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Folds a batch of journal entries into the rows of troupe_runs, in memory. */
final class BatchFold {
  private static final Logger log = LoggerFactory.getLogger(RunHistoryStore.class);

  private BatchFold() {}

  /**
   * The runs of {@code entries} whose rows must be read first; without {@code all}, not those
   * accepted in them (taken to have no row yet).
   */
  static Set<String> runIdsToRead(List<Entry> entries, boolean all) {
    Set<String> ids = new LinkedHashSet<>();
    Set<String> accepted = new HashSet<>();
    for (Entry e : entries) {
      WorkerEvents.forEach(e.event(), ev -> {
        if (!all && ev instanceof WorkerEvent.RunAccepted a) {
          accepted.add(a.runId());
        } else if (!accepted.contains(WorkerEvents.runIdOf(ev))) {
          ids.add(WorkerEvents.runIdOf(ev));
        }
      });
    }
    return ids;
  }

  /**
   * Folds {@code entries} (in journal order) into {@code rows}, the existing rows of their runs,
   * adding the rows of runs they accept. Every event of one entry applies, or none: an entry at or
   * below a row's {@code last_seq_nr} was applied before (a replay).
   */
  static void fold(Map<String, HistoryRow> rows, List<Entry> entries) {
    int unknown = 0;
    for (Entry entry : entries) {
      String entityId = RunHistoryStore.entityIdOf(entry.persistenceId());
      if (entityId == null) {
        log.warn("journal entry of '{}' is tagged {} but is not a worker entity's: ignored",
            entry.persistenceId(), RunHistory.TAG);
        continue;
      }
      Set<String> touched = new HashSet<>();
      List<WorkerEvent> events = new ArrayList<>();
      WorkerEvents.forEach(entry.event(), events::add);
      for (WorkerEvent e : events) {
        String runId = WorkerEvents.runIdOf(e);
        HistoryRow row = rows.get(runId);
        if (row != null && !touched.contains(runId) && row.lastSeqNr >= entry.sequenceNr()) {
          continue;
        }
        if (e instanceof WorkerEvent.RunAccepted a) {
          if (row == null) {
            rows.put(runId, HistoryRow.accepted(a, entityId, entry.sequenceNr()));
            touched.add(runId);
          }
          continue;
        }
        if (row == null) {
          unknown++; // accepted before its entity tagged its journal: not in the history
          continue;
        }
        touched.add(runId);
        row.apply(e, entry.sequenceNr());
      }
    }
    if (unknown > 0) {
      log.debug("{} events of runs that are not in the run history ignored", unknown);
    }
  }
}
