package dev.troupe.node.schedule;

import dev.troupe.api.InvalidArgumentException;
import dev.troupe.api.RunRejectedException;
import dev.troupe.api.TroupeException;
import dev.troupe.api.UnknownWorkerException;
import java.util.concurrent.CompletionException;

/**
 * Why a fire's call failed, as text that crosses nodes ("[CODE] message") and back as the API's
 * exception; whether calling again can help.
 */
final class FireFailures {
  private FireFailures() {}

  static Throwable unwrap(Throwable t) {
    return t instanceof CompletionException && t.getCause() != null ? t.getCause() : t;
  }

  /** An unknown worker or a refused argument: calling again cannot help. */
  static boolean permanent(Throwable t) {
    Throwable e = unwrap(t);
    return e instanceof UnknownWorkerException || e instanceof InvalidArgumentException;
  }

  static String text(Throwable t) {
    Throwable e = unwrap(t);
    String code = e instanceof UnknownWorkerException ? "UNKNOWN_WORKER"
        : e instanceof InvalidArgumentException ? "INVALID"
        : e instanceof RunRejectedException r ? r.reason().name()
        : "UNAVAILABLE";
    String message = e instanceof TroupeException ? e.getMessage()
        : "the run could not be started: " + e.getClass().getSimpleName();
    return "[" + code + "] " + message;
  }

  /** The API's exception for a {@link #text}. */
  static TroupeException toException(String text) {
    int end = text.indexOf("] ");
    String code = text.startsWith("[") && end > 0 ? text.substring(1, end) : "UNAVAILABLE";
    String message = end > 0 ? text.substring(end + 2) : text;
    return switch (code) {
      case "UNKNOWN_WORKER" -> new UnknownWorkerException(message);
      case "INVALID" -> new InvalidArgumentException(message);
      default -> {
        RunRejectedException.Reason reason;
        try {
          reason = RunRejectedException.Reason.valueOf(code);
        } catch (IllegalArgumentException e) {
          reason = RunRejectedException.Reason.UNAVAILABLE;
        }
        yield new RunRejectedException(reason, message);
      }
    };
  }
}
