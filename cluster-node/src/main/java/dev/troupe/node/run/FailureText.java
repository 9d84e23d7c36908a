package dev.troupe.node.run;

import dev.troupe.api.PermanentFailure;
import dev.troupe.api.TransientFailure;

/** How a handler's failure reads in a run's error, in its logs and in its steps. */
final class FailureText {
  private FailureText() {}

  /**
   * The message users see: a Troupe failure's (or a refused output's) own message, else the
   * exception's type and message.
   */
  static String describe(Throwable t) {
    if (t instanceof PermanentFailure || t instanceof TransientFailure
        || t instanceof OutputRefused) {
      return t.getMessage();
    }
    return t.getMessage() == null
        ? t.getClass().getSimpleName() : t.getClass().getSimpleName() + ": " + t.getMessage();
  }
}
