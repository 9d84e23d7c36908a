package dev.troupe.persistence;

import java.time.Instant;
import java.time.temporal.ChronoUnit;

/** The time of run events: to the millisecond, the precision the journal and the history keep. */
public final class RunClock {
  private RunClock() {}

  /** Now, truncated to the millisecond, so a run read back compares equal to the one written. */
  public static Instant now() {
    return Instant.now().truncatedTo(ChronoUnit.MILLIS);
  }
}
