package dev.troupe.api;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.Done;

/**
 * The cluster's schedules: durable, named, each fire time starting exactly one run across the
 * cluster (the fire time is the run's idempotency key), also while nodes die or a schedule moves.
 * Changes are written before their stage completes.
 */
public interface Schedules {
  /**
   * Creates or replaces a schedule. A replaced schedule keeps its paused flag and its recent runs,
   * and fires from now on by its new definition; putting the same definition again changes
   * nothing.
   *
   * @throws InvalidArgumentException when the cron expression does not parse
   * @throws UnknownWorkerException when its worker is not registered on this node
   */
  CompletionStage<ScheduleInfo> put(Schedule schedule);

  CompletionStage<Optional<ScheduleInfo>> get(String name);

  /** Every schedule, by name. */
  CompletionStage<List<ScheduleInfo>> list();

  /**
   * One page of at most {@code limit} schedules by name, after the page whose {@code nextCursor}
   * is {@code cursor} (null for the first page). Following the cursors lists every schedule that
   * exists throughout once, in name order, also while others are put or deleted.
   *
   * @throws InvalidArgumentException when {@code limit} is not between 1 and {@link
   *     SchedulePage#MAX_LIMIT}, or {@code cursor} is not one a page gave out
   */
  CompletionStage<SchedulePage> page(int limit, String cursor);

  /** Deletes a schedule: it fires no more. Fails with {@link UnknownScheduleException}. */
  CompletionStage<Done> delete(String name);

  /** Stops the schedule firing until {@link #resume}; fire times meanwhile start nothing. */
  CompletionStage<ScheduleInfo> pause(String name);

  /** Fires again from now on (fire times while it was paused are not caught up). */
  CompletionStage<ScheduleInfo> resume(String name);

  /**
   * Starts one run of the schedule now, whether paused or not, besides its fire times; completes
   * with the run once it is recorded (its {@link RunHandle#traceId()} the run's, as for a call).
   */
  CompletionStage<RunHandle> trigger(String name);
}
