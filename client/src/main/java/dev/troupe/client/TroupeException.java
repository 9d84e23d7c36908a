package dev.troupe.client;

/**
 * Every failure of the client is one of these (unchecked): {@link TroupeApiException} when a node
 * answered with an error, {@link UnreachableException} when no node could be reached, {@link
 * WaitTimeoutException} when a wait ran out first.
 */
public class TroupeException extends RuntimeException {
  public TroupeException(String message) {
    super(message);
  }

  public TroupeException(String message, Throwable cause) {
    super(message, cause);
  }
}
