package dev.troupe.client;

import java.util.Objects;
import java.util.concurrent.Flow;
import java.util.function.Supplier;

/**
 * A run's events as a {@link Flow.Publisher}: each subscriber gets its own {@link RunEventStream}
 * (so its own connection and resume), read on a daemon thread of its own, and is sent events only
 * as it requests them. The stream's guarantees hold: every event once, in order, across
 * reconnects; {@code onComplete} after the run's {@code result} or {@code error} event; {@code
 * onError} with the stream's failure ({@link UnreachableException}, {@link WaitTimeoutException},
 * a {@link TroupeApiException}). Cancelling closes the connection; the run itself goes on.
 */
final class RunEventPublisher implements Flow.Publisher<RunEvent> {
  private final Supplier<RunEventStream> streams;

  RunEventPublisher(Supplier<RunEventStream> streams) {
    this.streams = streams;
  }

  @Override
  public void subscribe(Flow.Subscriber<? super RunEvent> subscriber) {
    Objects.requireNonNull(subscriber, "subscriber");
    Delivery d = new Delivery(subscriber);
    subscriber.onSubscribe(d);
    Thread t = new Thread(d::run, "troupe-client-events");
    t.setDaemon(true);
    t.start();
  }

  private final class Delivery implements Flow.Subscription {
    private final Flow.Subscriber<? super RunEvent> subscriber;
    private long demand;
    private boolean cancelled;
    private Throwable invalid;
    private volatile RunEventStream stream;

    Delivery(Flow.Subscriber<? super RunEvent> subscriber) {
      this.subscriber = subscriber;
    }

    @Override
    public synchronized void request(long n) {
      if (n <= 0) {
        invalid = new IllegalArgumentException("request(" + n + "): demand must be positive (§3.9)");
      } else {
        demand = demand + n < 0 ? Long.MAX_VALUE : demand + n;
      }
      notifyAll();
    }

    @Override
    public void cancel() {
      synchronized (this) {
        cancelled = true;
        notifyAll();
      }
      RunEventStream s = stream;
      if (s != null) {
        s.close();
      }
    }

    /**
     * Waits for demand, at most until the stream's timeout; false once cancelled. A subscriber
     * without demand holds the stream's connection open meanwhile (the node's stream waits).
     */
    private synchronized boolean awaitDemand(RunEventStream s) throws InterruptedException {
      while (demand == 0 && !cancelled && invalid == null && !s.overdue()) {
        wait(200);
      }
      return !cancelled;
    }

    private void run() {
      try (RunEventStream s = streams.get()) {
        stream = s;
        while (awaitDemand(s)) {
          if (invalid != null) {
            subscriber.onError(invalid);
            return;
          }
          if (!hasDemand()) {
            subscriber.onError(new WaitTimeoutException(s.runId(), s.timeout()));
            return;
          }
          if (!s.hasNext()) {
            if (!isCancelled()) {
              subscriber.onComplete();
            }
            return;
          }
          RunEvent e = s.next();
          synchronized (this) {
            demand--;
          }
          subscriber.onNext(e);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } catch (RuntimeException e) {
        if (!isCancelled()) {
          subscriber.onError(e);
        }
      }
    }

    private synchronized boolean hasDemand() {
      return demand > 0;
    }

    private synchronized boolean isCancelled() {
      return cancelled;
    }
  }
}
