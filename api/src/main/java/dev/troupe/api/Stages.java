package dev.troupe.api;

import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;

/** Blocking waits of a handler's thread on a stage: an interrupt is a cancel. */
final class Stages {
  private Stages() {}

  /**
   * The stage's value once it completes; its failure rethrown as it is when unchecked.
   *
   * @throws Cancelled when the thread is interrupted (its attempt was cancelled) while it waits
   */
  static <T> T await(CompletionStage<T> stage, String waitingFor) {
    try {
      return stage.toCompletableFuture().get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new Cancelled("cancelled while waiting for " + waitingFor);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause() instanceof CompletionException c && c.getCause() != null
          ? c.getCause() : e.getCause();
      throw cause instanceof RuntimeException re ? re : new CompletionException(cause);
    }
  }
}
