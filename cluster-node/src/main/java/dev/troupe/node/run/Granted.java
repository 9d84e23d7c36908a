package dev.troupe.node.run;

import com.fasterxml.jackson.databind.JsonNode;
import dev.troupe.api.RunError;
import dev.troupe.api.TroupeSerializable;
import dev.troupe.persistence.StepRecord;
import java.util.List;

/**
 * The entity's go-ahead for attempt {@code attempt} of a run, with its epoch, the run's last
 * checkpoint, its recorded steps, whether a cancel waits for their compensations and, when the run
 * failed for good before they ran, its error ({@code failing}, else null): the attempt then only
 * compensates and reports that error. Written as {@code AttemptStarted} before it is sent.
 */
public record Granted(int attempt, long epoch, JsonNode checkpoint, List<StepRecord> steps,
    boolean cancelling, RunError failing)
    implements TroupeSerializable {
  public Granted {
    steps = steps == null ? List.of() : List.copyOf(steps);
  }
}
