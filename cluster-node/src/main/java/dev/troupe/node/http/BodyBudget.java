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
 * request is refused (503, asking to retry), and a body declared past {@code
 * troupe.http.max-body-bytes} is refused with 413, each once its body has been read and dropped
 * without being held (up to {@code troupe.http.max-drained-body-bytes}), so that many large
 * payloads arriving together cannot take the heap the node's runs need, and the client, which may
 * still be sending, gets the answer rather than a reset connection.
 */
final class BodyBudget {
  private final long capacity;
  private final long maxBodyBytes;
  private final long maxDrainedBytes;
  private final AtomicLong held = new AtomicLong();

  BodyBudget(long capacity, long maxBodyBytes, long maxDrainedBytes) {
    if (capacity < maxBodyBytes) {
      throw new IllegalArgumentException("troupe.http.max-inflight-body-bytes (" + capacity
          + ") must be at least troupe.http.max-body-bytes (" + maxBodyBytes + ")");
    }
    this.capacity = capacity;
    this.maxBodyBytes = maxBodyBytes;
    this.maxDrainedBytes = maxDrainedBytes;
  }

  /** {@code work} (which reads {@code entity}) within the budget, or a refusal. */
  <T> CompletionStage<T> admit(HttpEntity entity, Materializer materializer,
      Supplier<CompletionStage<T>> work) {
    long declared = entity.getContentLengthOption().orElse(maxBodyBytes);
    if (declared > maxBodyBytes) {
      return refuseAfterDraining(entity, declared, materializer, new BodyTooLarge());
    }
    if (!tryTake(declared)) {
      return refuseAfterDraining(entity, declared, materializer, new RunRejectedException(
          RunRejectedException.Reason.UNAVAILABLE, "the node is reading " + capacity
              + " bytes of request bodies already (troupe.http.max-inflight-body-bytes);"
              + " repeat the call in a moment, with the same idempotencyKey"));
    }
    long bytes = declared;
    CompletionStage<T> done;
    try {
      done = work.get();
    } catch (RuntimeException e) {
      held.addAndGet(-bytes);
      throw e;
    }
    return done.whenComplete((r, t) -> held.addAndGet(-bytes));
  }

  /**
   * Fails with {@code refusal} once the body is read and dropped (never held): a reply before the
   * end of the request would close the connection under a client still sending it. A body
   * declared past {@code troupe.http.max-drained-body-bytes} is not read: it is refused at once.
   */
  private <T> CompletionStage<T> refuseAfterDraining(HttpEntity entity, long declared,
      Materializer materializer, RuntimeException refusal) {
    if (declared > maxDrainedBytes) {
      return CompletableFuture.failedFuture(refusal);
    }
    return entity.withoutSizeLimit().discardBytes(materializer).completionStage()
        .<T>thenCompose(done -> CompletableFuture.failedFuture(refusal))
        .exceptionallyCompose(t -> CompletableFuture.failedFuture(refusal));
  }

  /** A body declared past {@code troupe.http.max-body-bytes}: a 413. */
  static final class BodyTooLarge extends RuntimeException {
    BodyTooLarge() {
      super("the request body is over the limit (troupe.http.max-body-bytes)", null, false, false);
    }
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
