package dev.troupe.client;

/** 404: no such worker (UNKNOWN_WORKER), run (UNKNOWN_RUN) or path. */
public class NotFoundException extends TroupeApiException {
  public NotFoundException(int status, String code, String message) {
    super(status, code, message);
  }
}
