package dev.troupe.node.http;

import dev.troupe.api.RunRejectedException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.apache.pekko.http.javadsl.model.HttpEntity;
import org.apache.pekko.stream.Materializer;

/**
 * The bytes of start-run bodies a node holds at once, from the moment it starts reading one until
 * its run is accepted or refused ({@code troupe.http.max-inflight-body-bytes}). A body counts
 * with its declared length, or the largest body allowed when it declares none. Past the budget a
 * request is refused (503, asking to retry) once its body has been read and dropped without being
 * held, so that many large payloads arriving together cannot take the heap the node's runs need,
 * and the client, which may still be sending, gets the answer rather than a reset connection.
 */
final class BodyBudget {
  private final long capacity;
  private final long maxBodyBytes;
  private final AtomicLong held = new AtomicLong();

  BodyBudget(long capacity, long maxBodyBytes) {
    if (capacity < maxBodyBytes) {
      throw new IllegalArgumentException("troupe.http.max-inflight-body-bytes (" + capacity
          + ") must be at least troupe.http.max-body-bytes (" + maxBodyBytes + ")");
    }
    this.capacity = capacity;
    this.maxBodyBytes = maxBodyBytes;
  }

  /** {@code work} (which reads {@code entity}) within the budget, or a refusal. */
  <T> CompletionStage<T> admit(HttpEntity entity, Materializer materializer,
      Supplier<CompletionStage<T>> work) {
    long bytes = Math.min(entity.getContentLengthOption().orElse(maxBodyBytes), maxBodyBytes);
    if (!tryTake(bytes)) {
      // answered once the body is read and dropped (never held): a reply before the end of the
      // request would close the connection under a client still sending it
      RunRejectedException refusal = new RunRejectedException(
          RunRejectedException.Reason.UNAVAILABLE, "the node is reading " + capacity
              + " bytes of request bodies already (troupe.http.max-inflight-body-bytes);"
              + " repeat the call in a moment, with the same idempotencyKey");
      return entity.discardBytes(materializer).completionStage()
          .<T>thenCompose(done -> CompletableFuture.failedFuture(refusal))
          .exceptionallyCompose(t -> CompletableFuture.failedFuture(refusal));
    }
    CompletionStage<T> done;
    try {
      done = work.get();
    } catch (RuntimeException e) {
      held.addAndGet(-bytes);
      throw e;
    }
    return done.whenComplete((r, t) -> held.addAndGet(-bytes));
  }

  private boolean tryTake(long bytes) {
    while (true) {
      long now = held.get();
      if (now + bytes > capacity) {
        return false;
      }
      if (held.compareAndSet(now, now + bytes)) {
        return true;
      }
    }
  }
}
