package dev.troupe.bench;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.IntFunction;

/**
 * {@code n} asynchronous operations (calls of the node's API) issued from a thread of their own,
 * at most {@code inFlight} of them not yet completed: the load generator of the node benchmark's
 * workloads. Operation {@code i} is {@code op.apply(i)}; one that throws counts as failed.
 */
final class Calls {
  private final int n;
  private final AtomicLong completed = new AtomicLong();
  private final AtomicLong failed = new AtomicLong();
  private final AtomicLong lastCompletion = new AtomicLong();
  private final AtomicReference<Throwable> firstError = new AtomicReference<>();
  private final AtomicBoolean stop = new AtomicBoolean();
  private final CompletableFuture<Void> all = new CompletableFuture<>();

  private Calls(int n) {
    this.n = n;
  }

  /** Starts issuing the operations; returns at once. */
  static Calls start(int n, int inFlight, IntFunction<CompletionStage<?>> op) {
    Calls c = new Calls(n);
    if (n == 0) {
      c.all.complete(null);
      return c;
    }
    Semaphore window = new Semaphore(inFlight);
    Thread issuer = new Thread(() -> {
      for (int i = 0; i < n && !c.stop.get(); i++) {
        window.acquireUninterruptibly();
        CompletionStage<?> stage;
        try {
          stage = op.apply(i);
        } catch (RuntimeException e) {
          stage = CompletableFuture.failedFuture(e);
        }
        stage.whenComplete((x, e) -> {
          window.release();
          if (e != null) {
            c.failed.incrementAndGet();
            c.firstError.compareAndSet(null, e);
          } else {
            c.completed.incrementAndGet();
          }
          c.lastCompletion.accumulateAndGet(System.nanoTime(), Math::max);
          if (c.done() == n) {
            c.all.complete(null);
          }
        });
      }
    }, "bench-issuer");
    issuer.setDaemon(true);
    issuer.start();
    return c;
  }

  /** Runs the operations and waits for them all, at most {@code timeoutSeconds}. */
  static Calls run(int n, int inFlight, IntFunction<CompletionStage<?>> op, int timeoutSeconds)
      throws InterruptedException {
    Calls c = start(n, inFlight, op);
    c.await(timeoutSeconds);
    return c;
  }

  /**
   * Waits until every operation has completed, at most {@code timeoutSeconds}; then stops
   * issuing.
   *
   * @return whether all completed
   */
  boolean await(int timeoutSeconds) throws InterruptedException {
    try {
      all.get(timeoutSeconds, TimeUnit.SECONDS);
      return true;
    } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
      stop();
      return false;
    }
  }

  /** Issues no more operations. */
  void stop() {
    stop.set(true);
  }

  int n() {
    return n;
  }

  /** Operations that completed normally. */
  long completed() {
    return completed.get();
  }

  /** Operations that failed. */
  long failed() {
    return failed.get();
  }

  /** Operations that completed either way. */
  long done() {
    return completed.get() + failed.get();
  }

  /** {@link System#nanoTime()} when the last operation so far completed, 0 before the first. */
  long lastCompletionNanos() {
    return lastCompletion.get();
  }

  /** The first failure, described, or null. */
  String firstError() {
    Throwable e = firstError.get();
    return e == null ? null : NodeHarness.describe(e);
  }
}
