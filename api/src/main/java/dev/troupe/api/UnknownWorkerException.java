package dev.troupe.api;

/** No worker definition of that name is registered on this node. */
public class UnknownWorkerException extends TroupeException {
  public UnknownWorkerException(String message) {
    super(message);
  }
}
