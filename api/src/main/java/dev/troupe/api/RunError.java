package dev.troupe.api;

import java.util.Objects;

/** The error of a run that did not succeed: a stable {@code code} and a human message. */
public record RunError(ErrorCode code, String message) implements TroupeSerializable {
  public RunError {
    Objects.requireNonNull(code, "code");
    message = message == null ? "" : message;
  }
}
