package dev.troupe.api;

/** A worker definition of that name is already registered. */
public class DuplicateWorkerException extends TroupeException {
  public DuplicateWorkerException(String message) {
    super(message);
  }
}
