package dev.troupe.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.Objects;

/**
 * The error of a run that did not succeed: a stable {@code code}, a human message, and the
 * handler's own {@code label} when its {@link PermanentFailure} or {@link TransientFailure} had a
 * code (absent from JSON otherwise, so errors without one read as they always did).
 *
 * <p>The message is often made of what a handler or a client supplied, so it is made storable on
 * every database when the error is made (and when a recorded one is read back): NUL characters,
 * which PostgreSQL's text refuses, become U+FFFD, and a message past {@link #MAX_MESSAGE_CHARS}
 * is cut there, marked with a trailing ellipsis.
 */
public record RunError(ErrorCode code, String message,
    @JsonInclude(JsonInclude.Include.NON_NULL) String label) implements TroupeSerializable {
  /** The longest message kept, in characters. */
  public static final int MAX_MESSAGE_CHARS = 8192;

  public RunError {
    Objects.requireNonNull(code, "code");
    message = storable(message == null ? "" : message);
  }

  /** An error without a label. */
  public RunError(ErrorCode code, String message) {
    this(code, message, null);
  }

  private static String storable(String m) {
    String s = m.indexOf('\u0000') < 0 ? m : m.replace('\u0000', '\uFFFD');
    return s.length() <= MAX_MESSAGE_CHARS ? s : s.substring(0, MAX_MESSAGE_CHARS - 1) + "\u2026";
  }
}
