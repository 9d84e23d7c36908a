package dev.troupe.client;

/** 429 (QUEUE_FULL, OVERLOADED) or 503 (SHUTTING_DOWN, UNAVAILABLE, NO_NODE_FOR_ROLE, REQUEST_TIMEOUT): the node cannot take the request now; it may succeed later. The client has already retried what it safely could before throwing this. */
public class UnavailableException extends TroupeApiException {
  public UnavailableException(int status, String code, String message) {
    super(status, code, message);
  }
}
