package dev.troupe.node.history;

import dev.troupe.node.metrics.TroupeMetrics;
import dev.troupe.persistence.RunHistory;
import dev.troupe.persistence.RunHistoryStore;
import dev.troupe.persistence.RunHistoryStore.Entry;
import dev.troupe.persistence.WorkerEvent;
import dev.troupe.persistence.WorkerEvents;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import org.apache.pekko.persistence.jdbc.query.javadsl.JdbcReadJournal;
import org.apache.pekko.persistence.query.EventEnvelope;
import org.apache.pekko.persistence.query.Sequence;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.stream.javadsl.Sink;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes one batch of the tag query's entries into the history, so that no entry is dropped
 * silently and none blocks the others: entries the tag query skipped (a hole in an entity's
 * sequence numbers, {@link JournalGaps}) are read back by persistence id and written first; a
 * batch the database refuses while it is up is written entry by entry, and an entry it still
 * refuses is set aside in {@code troupe_history_parked} with a log line naming its run and a
 * metric. While the database is down the batch fails, and the projection retries it later. An
 * entity's last entries, which no later entry shows to be missing, are looked for every {@code
 * troupe.history.tail-check-interval} ({@link #tailCheck}).
 */
final class HistoryBatches {
  private static final Logger log = LoggerFactory.getLogger(HistoryBatches.class);

  private final RunHistoryStore store;
  private final JdbcReadJournal journal;
  private final Materializer materializer;
  private final Executor jdbc;
  private final TroupeMetrics metrics;

  HistoryBatches(RunHistoryStore store, JdbcReadJournal journal, Materializer materializer,
      Executor jdbc, TroupeMetrics metrics) {
    this.store = store;
    this.journal = journal;
    this.materializer = materializer;
    this.jdbc = jdbc;
    this.metrics = metrics;
  }

  /** The element the projection's stream carries every {@code tail-check-interval}. */
  enum TailCheck { INSTANCE }

  /**
   * The weight of an element of the projection's stream in a batch ({@code
   * troupe.history.batch-bytes}): the run data a journal entry carries, at least 1.
   */
  static long bytes(Object element) {
    return element instanceof EventEnvelope e && e.event() instanceof WorkerEvent w
        ? Math.max(1, WorkerEvents.dataBytes(w)) : 1;
  }

  /**
   * Writes the tag query's entries of {@code group} and the gaps before them, then, when the group
   * holds a {@link TailCheck}, the entries each entity's last ones skipped ({@link #tailCheck});
   * completes with the stored offset.
   */
  CompletionStage<Long> write(List<Object> group) {
    List<EventEnvelope> envelopes = new ArrayList<>(group.size());
    group.forEach(o -> {
      if (o instanceof EventEnvelope e) {
        envelopes.add(e);
      }
    });
    CompletionStage<Long> written = envelopes.isEmpty()
        ? CompletableFuture.completedFuture(0L) : writeEnvelopes(envelopes);
    return envelopes.size() == group.size() ? written : written.thenCompose(o -> tailCheck());
  }

  /**
   * The entries that the tag query skipped and that no later entry of their entity revealed yet
   * (an entity's last ones): for each entity the history keeps a sequence number of, its entries
   * after that number whose journal ordering is not past the projection's offset (those past it
   * are the tag query's to deliver), written with the offset unchanged. Completes with the offset.
   */
  private CompletionStage<Long> tailCheck() {
    return CompletableFuture.supplyAsync(() -> new Tail(store.offset(RunHistory.PROJECTION),
            store.lastSeqNrs(RunHistory.PROJECTION)), jdbc)
        .thenCompose(tail -> {
          CompletionStage<List<Entry>> all = CompletableFuture.completedFuture(new ArrayList<>());
          for (Map.Entry<String, Long> e : tail.applied().entrySet()) {
            all = all.thenCombine(skippedAfter(e.getKey(), e.getValue(), tail.offset()),
                (list, found) -> {
                  list.addAll(found);
                  return list;
                });
          }
          return all.thenApplyAsync(found -> {
            if (!found.isEmpty()) {
              metrics.historyBackfilled(found.size());
              log.info("run history: {} last entries of their entities were skipped by the tag"
                  + " query (commits that became visible late); read back by persistence id",
                  found.size());
              apply(found, tail.offset());
            }
            return tail.offset();
          }, jdbc);
        });
  }

  private record Tail(long offset, Map<String, Long> applied) {}

  private CompletionStage<List<Entry>> skippedAfter(String persistenceId, long applied,
      long offset) {
    return journal.currentEventsByPersistenceId(persistenceId, applied + 1, Long.MAX_VALUE)
        .takeWhile(env -> ((Sequence) env.offset()).value() <= offset)
        .runWith(Sink.seq(), materializer)
        .thenApply(HistoryBatches::entries);
  }

  /** Writes {@code group} and the gaps before it; completes with the new offset. */
  private CompletionStage<Long> writeEnvelopes(List<EventEnvelope> group) {
    List<Entry> entries = entries(group);
    long offset = ((Sequence) group.get(group.size() - 1).offset()).value();
    Set<String> pids = new LinkedHashSet<>();
    entries.forEach(e -> pids.add(e.persistenceId()));
    return CompletableFuture.supplyAsync(() -> store.lastSeqNrs(RunHistory.PROJECTION, pids), jdbc)
        .thenCompose(applied -> withGaps(entries, applied))
        .thenApplyAsync(all -> {
          try {
            apply(all, offset);
          } catch (RuntimeException e) {
            metrics.projectionFailed();
            throw e;
          }
          metrics.projectionWritten(group.size(),
              System.currentTimeMillis() - group.get(group.size() - 1).timestamp());
          return offset;
        }, jdbc);
  }

  private static List<Entry> entries(List<EventEnvelope> group) {
    List<Entry> entries = new ArrayList<>(group.size());
    for (EventEnvelope env : group) {
      if (env.event() instanceof WorkerEvent e) {
        entries.add(new Entry(env.persistenceId(), env.sequenceNr(), e));
      } else {
        log.warn("journal entry {} of {} is tagged {} but holds a {}: ignored", env.sequenceNr(),
            env.persistenceId(), RunHistory.TAG, env.event().getClass().getName());
      }
    }
    return entries;
  }

  /** {@code entries} with those the tag query skipped, read by persistence id, before them. */
  private CompletionStage<List<Entry>> withGaps(List<Entry> entries, Map<String, Long> applied) {
    List<JournalGaps.Gap> gaps = JournalGaps.find(entries, applied);
    CompletionStage<List<Entry>> all = CompletableFuture.completedFuture(new ArrayList<>(entries));
    for (JournalGaps.Gap gap : gaps) {
      all = all.thenCombine(read(gap), (list, found) -> {
        list.addAll(found);
        return list;
      });
    }
    return gaps.isEmpty() ? all : all.thenApply(list -> {
      // an entity's entries in its order; entities are independent of each other in the history
      list.sort(Comparator.comparing(Entry::persistenceId).thenComparingLong(Entry::sequenceNr));
      return list;
    });
  }

  private CompletionStage<List<Entry>> read(JournalGaps.Gap gap) {
    return journal.currentEventsByPersistenceId(gap.persistenceId(), gap.from(), gap.to())
        .runWith(Sink.seq(), materializer)
        .thenApply(envs -> {
          List<Entry> found = entries(envs);
          long missing = gap.to() - gap.from() + 1;
          metrics.historyBackfilled(found.size());
          if (found.size() < missing) {
            log.warn("run history: entries {} to {} of {} were skipped by the tag query and {} of"
                + " them are no longer in the journal", gap.from(), gap.to(), gap.persistenceId(),
                missing - found.size());
          } else {
            log.info("run history: entries {} to {} of {} were skipped by the tag query (a commit"
                + " that became visible late); read back by persistence id", gap.from(),
                gap.to(), gap.persistenceId());
          }
          return found;
        });
  }

  /** Writes {@code all} and {@code offset}; entry by entry, parking poison, if it is refused. */
  private void apply(List<Entry> all, long offset) {
    try {
      store.applyAll(RunHistory.PROJECTION, all, offset);
    } catch (RuntimeException refused) {
      long stored = store.offset(RunHistory.PROJECTION); // throws while the database is down
      log.warn("run history: a batch of {} entries was refused ({}); writing them run by run",
          all.size(), refused.toString());
      List<Entry> single = new ArrayList<>();
      all.forEach(e -> single.addAll(perRun(e)));
      for (int i = 0; i < single.size(); i++) {
        // the offset moves only with the last one: a crash on the way replays the batch
        applyOrPark(single.get(i), i == single.size() - 1 ? offset : stored);
      }
    }
  }

  /** A group-committed entry as one entry per run (same entity and sequence number). */
  private static List<Entry> perRun(Entry entry) {
    if (!(entry.event() instanceof WorkerEvent.Recorded recorded)) {
      return List.of(entry);
    }
    Map<String, List<WorkerEvent>> byRun = new LinkedHashMap<>();
    for (WorkerEvent e : recorded.events()) {
      String run = String.valueOf(WorkerEvents.runIdOrNull(e));
      byRun.computeIfAbsent(run, k -> new ArrayList<>()).add(e);
    }
    List<Entry> out = new ArrayList<>(byRun.size());
    byRun.values().forEach(events -> out.add(new Entry(entry.persistenceId(),
        entry.sequenceNr(), new WorkerEvent.Recorded(events))));
    return out;
  }


  private void applyOrPark(Entry entry, long offset) {
    try {
      store.applyAll(RunHistory.PROJECTION, List.of(entry), offset);
    } catch (RuntimeException refused) {
      store.offset(RunHistory.PROJECTION); // the database is up: this entry is poison
      store.park(RunHistory.PROJECTION, List.of(entry), offset, refused.toString());
      metrics.historyParked(1);
      log.error("run history: the events of run {} in journal entry {} of {} cannot be written"
          + " and were set aside in troupe_history_parked: {}",
          WorkerEvents.runIdOrNull(entry.event()), entry.sequenceNr(), entry.persistenceId(), refused.toString());
    }
  }
}
