package dev.troupe.client;

/**
 * No node answered: every attempt to connect (or to read an answer) failed, over all the client's
 * base URLs and retries. The request may or may not have reached a node; a start call with the
 * same idempotency key is safe to repeat.
 */
public class UnreachableException extends TroupeException {
  public UnreachableException(String message, Throwable cause) {
    super(message, cause);
  }
}
