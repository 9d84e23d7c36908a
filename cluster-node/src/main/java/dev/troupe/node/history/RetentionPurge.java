package dev.troupe.node.history;

import dev.troupe.node.config.RetentionSettings;
import dev.troupe.node.metrics.TroupeMetrics;
import dev.troupe.persistence.RunHistory;
import dev.troupe.persistence.RunHistoryStore;
import java.time.Clock;

/**
 * One purge round, blocking (run it on the history's dispatcher): at most one batch of journal
 * entries that a snapshot and the history both cover ({@link RunHistoryStore#purgeJournal}) and
 * one batch of runs finished longer ago than {@code troupe.history.retention}, by {@code clock}
 * ({@link RunHistoryStore#purgeRuns}). What it deleted is counted in the metrics.
 */
public final class RetentionPurge {
  private final RunHistoryStore store;
  private final RetentionSettings settings;
  private final Clock clock;
  private final TroupeMetrics metrics;

  /** What one round deleted, and whether a batch came back full (more may be deleted now). */
  public record Round(int journalEntries, int runs, int streamRows, boolean more) {}

  public RetentionPurge(RunHistoryStore store, RetentionSettings settings, Clock clock,
      TroupeMetrics metrics) {
    this.store = store;
    this.settings = settings;
    this.clock = clock;
    this.metrics = metrics;
  }

  /**
   * Deletes one batch of each kind that the settings turn on.
   *
   * @throws RunHistoryStore.StoreException when the database refused a batch
   */
  public Round round() {
    int batch = settings.batchSize();
    int journal = settings.journal() ? store.purgeJournal(RunHistory.PROJECTION, batch) : 0;
    RunHistoryStore.Purged runs = settings.historyAge()
        .map(age -> store.purgeRuns(clock.instant().minus(age), batch))
        .orElse(new RunHistoryStore.Purged(0, 0));
    metrics.purged(journal, runs.runs(), runs.streamRows());
    return new Round(journal, runs.runs(), runs.streamRows(),
        journal == batch || runs.runs() == batch);
  }
}
