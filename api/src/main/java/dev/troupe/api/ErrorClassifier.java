package dev.troupe.api;

/**
 * Decides whether an exception thrown by a handler (other than {@link PermanentFailure} and
 * {@link TransientFailure}, which are never reclassified) may be retried.
 */
@FunctionalInterface
public interface ErrorClassifier {
  /** @return {@code true} when the failure is permanent and the run must not be retried. */
  boolean isPermanent(Throwable failure);

  /** The default: every unknown exception is transient. */
  ErrorClassifier ALL_TRANSIENT = failure -> false;
}
