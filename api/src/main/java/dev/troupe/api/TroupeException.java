package dev.troupe.api;

/** Base of the exceptions Troupe's API throws or fails its stages with; each names the problem. */
public abstract class TroupeException extends RuntimeException {
  protected TroupeException(String message) {
    super(message);
  }
}
