package dev.troupe.client;

/** 401 (no or an unknown bearer token) or 403 (the token may not do this, such as a client token cancelling). */
public class AccessDeniedException extends TroupeApiException {
  public AccessDeniedException(int status, String code, String message) {
    super(status, code, message);
  }
}
