package dev.troupe.node.schedule;

import dev.troupe.api.Schedule;
import dev.troupe.api.ScheduleRef;
import java.util.concurrent.CompletionStage;

/**
 * How a schedule starts the run of a fire: the node's call path (the facade's), with the fire as
 * the run's {@code schedule} and {@code idempotencyKey} as its key, so that calling again for the
 * same fire returns the same run.
 */
@FunctionalInterface
public interface RunStarter {
  /**
   * @return completes with the run once it is recorded; may also throw at once (an unknown
   *     worker, a refused payload)
   */
  CompletionStage<Started> start(Schedule schedule, ScheduleRef fire, String idempotencyKey);

  /** The run a fire started: its id, and its trace id (null when it is not traced). */
  record Started(String runId, String traceId) {}
}
