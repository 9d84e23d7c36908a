package dev.troupe.api;

import java.time.Duration;

/**
 * How a run that fails transiently is retried. The wait before attempt n+1 is Pekko's supervisor
 * backoff: {@code initialBackoff * 2^(n-1)}, capped at {@code maxBackoff}, stretched by up to
 * {@code jitter} (0.2 = up to 20% longer) so that many failing runs do not retry in lockstep.
 * The doubling is fixed: it is {@code SupervisorStrategy.restartWithBackoff}'s, which runs the
 * retry (see docs/decisions.md).
 *
 * @param maxAttempts attempts in all, the first included; 1 means never retry
 */
public record RetryPolicy(int maxAttempts, Duration initialBackoff, Duration maxBackoff,
    double jitter) {

  /** Three attempts, 1 s doubling to at most 30 s, 20% jitter. */
  public static final RetryPolicy DEFAULT =
      new RetryPolicy(3, Duration.ofSeconds(1), Duration.ofSeconds(30), 0.2);

  /** One attempt only. */
  public static final RetryPolicy NONE =
      new RetryPolicy(1, Duration.ofSeconds(1), Duration.ofSeconds(1), 0.0);

  public RetryPolicy {
    if (maxAttempts < 1) {
      throw new InvalidArgumentException("retry.maxAttempts must be at least 1, was " + maxAttempts);
    }
    if (initialBackoff == null || initialBackoff.isNegative() || initialBackoff.isZero()) {
      throw new InvalidArgumentException("retry.initialBackoff must be positive, was " + initialBackoff);
    }
    if (maxBackoff == null || maxBackoff.compareTo(initialBackoff) < 0) {
      throw new InvalidArgumentException(
          "retry.maxBackoff must be at least retry.initialBackoff, was " + maxBackoff);
    }
    if (jitter < 0 || jitter > 1 || Double.isNaN(jitter)) {
      throw new InvalidArgumentException("retry.jitter must be between 0 and 1, was " + jitter);
    }
  }

  public static RetryPolicy of(int maxAttempts, Duration initialBackoff, Duration maxBackoff) {
    return new RetryPolicy(maxAttempts, initialBackoff, maxBackoff, 0.2);
  }

  public RetryPolicy withMaxAttempts(int n) {
    return new RetryPolicy(n, initialBackoff, maxBackoff, jitter);
  }

  public RetryPolicy withJitter(double j) {
    return new RetryPolicy(maxAttempts, initialBackoff, maxBackoff, j);
  }
}
