package dev.troupe.node.run;

import com.fasterxml.jackson.databind.JsonNode;
import dev.troupe.api.TroupeSerializable;
import dev.troupe.persistence.StepRecord;
import java.util.List;

/**
 * The entity's go-ahead for attempt {@code attempt} of a run, with its epoch, the run's last
 * checkpoint, its recorded steps and whether a cancel waits for their compensations; written as
 * {@code AttemptStarted} before it is sent.
 */
public record Granted(int attempt, long epoch, JsonNode checkpoint, List<StepRecord> steps,
    boolean cancelling)
    implements TroupeSerializable {
  public Granted {
    steps = steps == null ? List.of() : List.copyOf(steps);
  }
}
