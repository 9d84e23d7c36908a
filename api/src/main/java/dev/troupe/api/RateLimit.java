package dev.troupe.api;

import java.time.Duration;

/**
 * At most {@code starts} runs of a definition start in any window of {@code per}: per partition
 * of the definition, or, with {@code perKey}, per concurrency key within it (the runs without a
 * key counting as one key). Runs over the limit wait in the queue, in their order, and start as
 * soon as the limit allows; they are never failed for it. Every attempt's start counts, a retry's
 * too, but only runs that wait in the queue are held: a retry starts after its backoff.
 *
 * @param starts how many starts a window allows, 1 to {@link #MAX_STARTS}
 * @param per the window, 1 ms to {@link #MAX_PER}
 * @param perKey whether each concurrency key has a window of its own
 */
public record RateLimit(int starts, Duration per, boolean perKey) {
  /** The most starts one window may count: the entity keeps each start's time for a window. */
  public static final int MAX_STARTS = 100_000;
  public static final Duration MAX_PER = Duration.ofDays(30);

  public RateLimit {
    if (starts < 1 || starts > MAX_STARTS) {
      throw new InvalidArgumentException("rateLimit starts must be between 1 and " + MAX_STARTS
          + ", was " + starts);
    }
    if (per == null || per.toMillis() < 1 || per.compareTo(MAX_PER) > 0) {
      throw new InvalidArgumentException("rateLimit per must be between 1 ms and " + MAX_PER
          + ", was " + per);
    }
  }

  /** {@code starts} runs of the definition per {@code per}. */
  public static RateLimit of(int starts, Duration per) {
    return new RateLimit(starts, per, false);
  }

  /** {@code starts} runs of each concurrency key per {@code per}. */
  public static RateLimit perKey(int starts, Duration per) {
    return new RateLimit(starts, per, true);
  }
}
