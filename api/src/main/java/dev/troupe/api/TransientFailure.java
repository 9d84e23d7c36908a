package dev.troupe.api;

import java.util.Optional;

/**
 * Thrown by a handler for a failure that a later attempt may not meet (a timeout, a 503): the
 * attempt is retried per the definition's {@link RetryPolicy}, and when the attempts are
 * exhausted the run ends {@code FAILED} with {@link ErrorCode#TRANSIENT_ERROR}. Never
 * reclassified by the {@link ErrorClassifier}.
 *
 * <p>Unchecked, so helpers and lambdas can throw it without declaring it. The optional {@link
 * #code()} label reaches the run error's {@link RunError#label()} like {@link
 * PermanentFailure}'s.
 */
public class TransientFailure extends RuntimeException {
  private final String code;

  public TransientFailure(String message) {
    this(message, null, null);
  }

  public TransientFailure(String message, Throwable cause) {
    this(message, null, cause);
  }

  /**
   * @param code the label (letters, digits, {@code _ . -}, at most 64); null for none
   * @throws IllegalArgumentException when {@code code} breaks that rule
   */
  public TransientFailure(String message, String code, Throwable cause) {
    super(message, cause);
    this.code = FailureCodes.check(code);
  }

  /** A transient failure labelled {@code code}. */
  public static TransientFailure coded(String code, String message) {
    return new TransientFailure(message, code, null);
  }

  /** The label given when it was thrown, if any. */
  public Optional<String> code() {
    return Optional.ofNullable(code);
  }
}
