package dev.troupe.client;

/** 400 (INVALID_REQUEST), 413 (BODY_TOO_LARGE) or 415: the request itself is wrong (a malformed or refused payload or option); repeating it cannot help. */
public class InvalidRequestException extends TroupeApiException {
  public InvalidRequestException(int status, String code, String message) {
    super(status, code, message);
  }
}
