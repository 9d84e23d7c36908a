package dev.troupe.client;

/**
 * A node answered with an error: its HTTP status and the {@code code} and {@code message} of its
 * JSON error body ({@code {"error":{"code","message"}}}). The subclasses name the statuses a
 * program usually handles; any other status is this class itself.
 */
public class TroupeApiException extends TroupeException {
  private final int status;
  private final String code;

  public TroupeApiException(int status, String code, String message) {
    super(message);
    this.status = status;
    this.code = code;
  }

  /** The HTTP status, such as 404. */
  public int status() {
    return status;
  }

  /** The node's error code, such as {@code UNKNOWN_WORKER}; {@code HTTP_<status>} without a body. */
  public String code() {
    return code;
  }
}
