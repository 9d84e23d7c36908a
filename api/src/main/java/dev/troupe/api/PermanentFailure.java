package dev.troupe.api;

import java.util.Optional;

/**
 * Thrown by a handler for a failure that retrying cannot fix (bad input, a refused request): the
 * run ends {@code FAILED} with error code {@link ErrorCode#PERMANENT_ERROR} at once, whatever the
 * retry policy and the {@link ErrorClassifier} say.
 *
 * <p>Unchecked, so helpers and lambdas can throw it without declaring it. The optional {@link
 * #code()} is the caller's own label for the failure ({@code "invalid-email"}); it is recorded
 * as the run error's {@link RunError#label()} beside the message, so clients can branch on it
 * without parsing text.
 */
public class PermanentFailure extends RuntimeException {
  private final String code;

  public PermanentFailure(String message) {
    this(message, null, null);
  }

  public PermanentFailure(String message, Throwable cause) {
    this(message, null, cause);
  }

  /**
   * @param code the label, {@link FailureCodes#RULE letters, digits, {@code _ . -}, at most 64};
   *     null for none
   * @throws IllegalArgumentException when {@code code} breaks that rule
   */
  public PermanentFailure(String message, String code, Throwable cause) {
    super(message, cause);
    this.code = FailureCodes.check(code);
  }

  /** A permanent failure labelled {@code code}. */
  public static PermanentFailure coded(String code, String message) {
    return new PermanentFailure(message, code, null);
  }

  /** The label given when it was thrown, if any. */
  public Optional<String> code() {
    return Optional.ofNullable(code);
  }
}
