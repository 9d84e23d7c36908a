package dev.troupe.persistence;

import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

/** The time of run events: to the millisecond, the precision the journal and the history keep. */
public final class RunClock {
  private RunClock() {}

  /** Now, truncated to the millisecond, so a run read back compares equal to the one written. */
  public static Instant now() {
    return Instant.now().truncatedTo(ChronoUnit.MILLIS);
  }

  /**
   * Now by {@code clock}, truncated to the millisecond: the worker entities take their time from
   * a clock of their node's services, which a test may control.
   */
  public static Instant now(Clock clock) {
    return clock.instant().truncatedTo(ChronoUnit.MILLIS);
  }
}
