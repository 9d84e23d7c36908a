package dev.troupe.persistence;

import dev.troupe.api.InvalidArgumentException;
import dev.troupe.api.RunEvent;
import dev.troupe.api.RunPage;
import dev.troupe.api.RunQuery;
import dev.troupe.api.RunResult;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The run history: every run of the worker entities that tag their journal ({@link
 * RunHistory#TAG}), as the journal last showed it, and the durable streams of runs, kept after the
 * entities forgot them. A projection writes it from the journal ({@link #applyAll}); lookups of
 * old runs, pages of runs and replays of stored streams read it. Every method blocks: call them
 * off actor threads.
 *
 * <p>A journal entry folds into a run as {@link RunRecord#next} changes the entity's own record,
 * so the history shows what the entity showed. The history is idempotent: a run remembers the
 * sequence number of the last journal entry of its entity that changed it and skips an entry at or
 * below it, so a replay (the projection is at-least-once) leaves it as it is.
 */
public interface RunHistoryStore extends AutoCloseable {

  /** One journal entry of a worker entity, as the read journal delivers it. */
  record Entry(String persistenceId, long sequenceNr, WorkerEvent event) {}

  /** What one purge of old runs deleted: runs, and rows of their stored stream events. */
  record Purged(int runs, int streamRows) {}

  /** The store could not read or write the database; the message says which statement failed. */
  final class StoreException extends RuntimeException {
    public StoreException(String message, Throwable cause) {
      super(message, cause);
    }
  }

  /**
   * The entity id of persistence id {@code worker|<entityId>}; null when it has none, for an entry
   * that is no worker entity's (the history ignores it).
   */
  static String entityIdOf(String persistenceId) {
    int bar = persistenceId == null ? -1 : persistenceId.indexOf('|');
    return bar < 0 || bar == persistenceId.length() - 1 ? null : persistenceId.substring(bar + 1);
  }

  /**
   * Folds {@code entries} (in journal order) into the history and stores {@code newOffset} as the
   * offset of {@code projection}: all of it, or nothing. Events of runs accepted before their
   * entity tagged its journal are ignored.
   *
   * @throws StoreException when the database refused the batch; nothing of it was stored
   */
  void applyAll(String projection, List<Entry> entries, long newOffset);

  /**
   * The sequence number of the last entry of each of {@code persistenceIds} that {@code
   * projection} has applied, to find entries that the tag query skipped: 0 for an entity whose
   * runs the history has never seen (every entry from the first is expected); absent for an
   * entity whose runs it holds from before it kept these numbers.
   *
   * @throws StoreException when the database could not be read
   */
  Map<String, Long> lastSeqNrs(String projection, Collection<String> persistenceIds);

  /**
   * The sequence number of the last entry that {@code projection} has applied of every entity it
   * keeps one for: to find an entity's last entries that the tag query skipped, which no later
   * entry of that entity reveals.
   *
   * @throws StoreException when the database could not be read
   */
  Map<String, Long> lastSeqNrs(String projection);

  /**
   * Sets {@code entries} aside as poison (kept in {@code troupe_history_parked} with {@code
   * error}, for operators) and stores {@code newOffset}, so that the projection goes on past them.
   *
   * @throws StoreException when the database refused it; nothing was stored
   */
  void park(String projection, List<Entry> entries, long newOffset, String error);

  /** The stored offset of {@code projection}; 0 (the journal's start) when none is stored. */
  long offset(String projection);

  /**
   * The stored events of run {@code runId}'s durable stream after {@code afterSeq}, up to {@code
   * toSeq} and at most {@code limit}, in order (times to the millisecond). The terminal {@code
   * result} or {@code error} event has no data here: its data is the finished run, {@link #find}.
   * Events of a non-durable stream are never stored, and those of a durable one show a moment
   * after they were written (the projection follows the journal).
   */
  List<RunEvent> events(String runId, long afterSeq, long toSeq, int limit);

  /** The run {@code runId} as the history last saw it. */
  Optional<RunResult> find(String runId);

  /**
   * One page of runs, newest first by creation time (then run id, descending).
   *
   * @throws InvalidArgumentException when the query's cursor is not one this store gave out
   */
  RunPage page(RunQuery query);

  /**
   * The ids of the runs that re-run {@code runId} (whose spec names it as {@code rerunOf}),
   * oldest first, at most {@code limit}: found by an index, as children are by their parent.
   *
   * @throws StoreException when the database could not be read
   */
  List<String> rerunsOf(String runId, int limit);

  /**
   * Deletes at most {@code maxRows} journal entries of the worker entities that {@code
   * projection} follows, each entity's only up to the lowest of its latest snapshot's sequence
   * number, the last entry of it that {@code projection} applied and its highest entry less one:
   * an entity recovers from its snapshot, the history never needs an entry again once applied,
   * and nothing the history has not read yet is deleted, however far it lags. An entity the
   * history has not seen keeps all its entries. Entries of other persistent actors are not
   * touched.
   *
   * @return the entries deleted; fewer than {@code maxRows} when no more may be deleted now
   * @throws StoreException when the database refused it; what was deleted stays deleted
   */
  int purgeJournal(String projection, int maxRows);

  /**
   * Deletes at most {@code maxRuns} runs that finished before {@code cutoff}, oldest first, with
   * their stored stream events, in one transaction. A run not finished is never deleted.
   *
   * @return what was deleted; fewer than {@code maxRuns} runs when no more finished before it
   * @throws StoreException when the database refused it; nothing of the batch was deleted
   */
  Purged purgeRuns(Instant cutoff, int maxRuns);

  /** Releases what the store holds (its pool, when it opened one); logs rather than throws. */
  @Override
  void close();
}
