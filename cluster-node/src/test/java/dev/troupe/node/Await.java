package dev.troupe.node;

import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Waiting for stages in tests, with a bound. */
public final class Await {
  private Await() {}

  public static <T> T result(CompletionStage<T> stage) {
    return result(stage, 30);
  }

  public static <T> T result(CompletionStage<T> stage, int seconds) {
    try {
      return stage.toCompletableFuture().get(seconds, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      throw e.getCause() instanceof RuntimeException re ? re : new RuntimeException(e.getCause());
    } catch (InterruptedException | TimeoutException e) {
      throw new AssertionError("stage did not complete in " + seconds + " s", e);
    }
  }
}
