package dev.troupe.api;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * How a worker definition runs. Immutable; every {@code with…} returns a copy. Invalid values are
 * rejected at once with an {@link InvalidArgumentException} naming the field.
 *
 * @param timeout the longest one attempt may run; a call may set a shorter or longer one
 * @param maxConcurrent runs of this definition executing at once, per partition
 * @param queueCapacity runs waiting beyond {@code maxConcurrent}, per partition; past it a call
 *     is rejected
 * @param role the cluster role whose nodes may run it, or null for any node: its runs execute only
 *     on members with that role ({@code pekko.cluster.roles}, {@code TROUPE_ROLES}); other nodes
 *     route calls to them, and a call while no such member is up is rejected at once
 * @param partitions how many sharded entities share the definition's load
 * @param durableStream whether its runs' streams are persisted (the default): every event is
 *     written before any subscriber sees it, so a run's whole stream can be replayed from any
 *     sequence number on any node, after a failover or long after the run ended. Off, a stream
 *     lives only in memory on the node running the run: a bounded replay buffer, and an explicit
 *     gap notice for whatever it no longer holds or was lost with a node
 * @param maxConcurrentPerKey runs of one concurrency key executing at once, per partition, or
 *     null for no cap beyond {@code maxConcurrent}; the runs without a key count as one key. A key
 *     at its cap waits without holding up the other keys' runs
 * @param rateLimit how many runs may start per period, per partition or per key ({@link
 *     RateLimit}), or null for no limit: runs over it wait in the queue, never fail for it
 */
public record WorkerConfig(
    Duration timeout,
    RetryPolicy retry,
    int maxConcurrent,
    int queueCapacity,
    String role,
    int partitions,
    List<String> tags,
    String description,
    ErrorClassifier errorClassifier,
    boolean durableStream,
    Integer maxConcurrentPerKey,
    RateLimit rateLimit) {

  private static final Pattern ROLE = Pattern.compile("^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$");

  /**
   * The longest per-attempt timeout a definition or a call may set: an attempt's deadline is a
   * timer of the actor system, whose scheduler takes delays of some 248 days at most, and a
   * longer one would fail the run only when it starts.
   */
  public static final Duration MAX_TIMEOUT = Duration.ofDays(30);

  /**
   * 5 minutes timeout, {@link RetryPolicy#DEFAULT}, 16 at once, 10,000 queued, 1 partition,
   * durable streams.
   */
  public static final WorkerConfig DEFAULT = new WorkerConfig(Duration.ofMinutes(5),
      RetryPolicy.DEFAULT, 16, 10_000, null, 1, List.of(), "", ErrorClassifier.ALL_TRANSIENT,
      true, null, null);

  public WorkerConfig {
    if (timeout == null || timeout.isNegative() || timeout.isZero()
        || timeout.compareTo(MAX_TIMEOUT) > 0) {
      throw new InvalidArgumentException("timeout must be positive and at most " + MAX_TIMEOUT
          + ", was " + timeout);
    }
    Objects.requireNonNull(retry, "retry");
    if (maxConcurrent < 1) {
      throw new InvalidArgumentException("maxConcurrent must be at least 1, was " + maxConcurrent);
    }
    if (maxConcurrentPerKey != null && maxConcurrentPerKey < 1) {
      throw new InvalidArgumentException("maxConcurrentPerKey must be at least 1, was "
          + maxConcurrentPerKey);
    }
    if (queueCapacity < 0) {
      throw new InvalidArgumentException("queueCapacity must not be negative, was " + queueCapacity);
    }
    if (role != null && !ROLE.matcher(role).matches()) {
      throw new InvalidArgumentException("role must match " + ROLE.pattern()
          + " (letters, digits, '.', '_', '-'), was '" + role + "'");
    }
    if (partitions < 1 || partitions > 1024) {
      throw new InvalidArgumentException("partitions must be between 1 and 1024, was " + partitions);
    }
    tags = tags == null ? List.of() : List.copyOf(tags);
    description = description == null ? "" : description;
    errorClassifier = errorClassifier == null ? ErrorClassifier.ALL_TRANSIENT : errorClassifier;
  }

  public static WorkerConfig defaults() {
    return DEFAULT;
  }

  public WorkerConfig withTimeout(Duration t) {
    return new WorkerConfig(t, retry, maxConcurrent, queueCapacity, role, partitions, tags,
        description, errorClassifier, durableStream, maxConcurrentPerKey, rateLimit);
  }

  public WorkerConfig withRetry(RetryPolicy r) {
    return new WorkerConfig(timeout, r, maxConcurrent, queueCapacity, role, partitions, tags,
        description, errorClassifier, durableStream, maxConcurrentPerKey, rateLimit);
  }

  public WorkerConfig withMaxConcurrent(int n) {
    return new WorkerConfig(timeout, retry, n, queueCapacity, role, partitions, tags,
        description, errorClassifier, durableStream, maxConcurrentPerKey, rateLimit);
  }

  public WorkerConfig withQueueCapacity(int n) {
    return new WorkerConfig(timeout, retry, maxConcurrent, n, role, partitions, tags,
        description, errorClassifier, durableStream, maxConcurrentPerKey, rateLimit);
  }

  public WorkerConfig withRole(String r) {
    return new WorkerConfig(timeout, retry, maxConcurrent, queueCapacity, r, partitions, tags,
        description, errorClassifier, durableStream, maxConcurrentPerKey, rateLimit);
  }

  public WorkerConfig withPartitions(int n) {
    return new WorkerConfig(timeout, retry, maxConcurrent, queueCapacity, role, n, tags,
        description, errorClassifier, durableStream, maxConcurrentPerKey, rateLimit);
  }

  public WorkerConfig withTags(List<String> t) {
    return new WorkerConfig(timeout, retry, maxConcurrent, queueCapacity, role, partitions, t,
        description, errorClassifier, durableStream, maxConcurrentPerKey, rateLimit);
  }

  public WorkerConfig withDescription(String d) {
    return new WorkerConfig(timeout, retry, maxConcurrent, queueCapacity, role, partitions, tags,
        d, errorClassifier, durableStream, maxConcurrentPerKey, rateLimit);
  }

  public WorkerConfig withErrorClassifier(ErrorClassifier c) {
    return new WorkerConfig(timeout, retry, maxConcurrent, queueCapacity, role, partitions, tags,
        description, c, durableStream, maxConcurrentPerKey, rateLimit);
  }

  /** With runs' streams persisted ({@code true}, the default) or kept in memory only. */
  public WorkerConfig withDurableStream(boolean durable) {
    return new WorkerConfig(timeout, retry, maxConcurrent, queueCapacity, role, partitions, tags,
        description, errorClassifier, durable, maxConcurrentPerKey, rateLimit);
  }

  /**
   * With at most {@code n} runs of one concurrency key executing at once (per partition), the
   * runs without a key counting as one key; queued runs of other keys start meanwhile.
   */
  public WorkerConfig withMaxConcurrentPerKey(int n) {
    return new WorkerConfig(timeout, retry, maxConcurrent, queueCapacity, role, partitions, tags,
        description, errorClassifier, durableStream, n, rateLimit);
  }

  /** With runs held in the queue past {@code limit} starts per period (null: no limit). */
  public WorkerConfig withRateLimit(RateLimit limit) {
    return new WorkerConfig(timeout, retry, maxConcurrent, queueCapacity, role, partitions, tags,
        description, errorClassifier, durableStream, maxConcurrentPerKey, limit);
  }
}
