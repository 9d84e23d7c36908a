package dev.troupe.node.entity;

import dev.troupe.api.InvalidArgumentException;
import dev.troupe.api.RunFinishedException;
import dev.troupe.api.RunRejectedException;
import dev.troupe.api.TroupeException;
import dev.troupe.api.UnknownRunException;
import dev.troupe.api.UnknownWorkerException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeoutException;
import org.apache.pekko.pattern.StatusReply;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Error replies between entities and the facade. They cross nodes as {@code StatusReply} error
 * texts "[CODE] message" (exceptions are not serialized), and become the API's exceptions again
 * on the caller's side.
 */
public final class Failures {
  private static final Logger log = LoggerFactory.getLogger(Failures.class);

  enum Code { UNKNOWN_WORKER, UNKNOWN_RUN, RUN_FINISHED, QUEUE_FULL, OVERLOADED, SHUTTING_DOWN,
    UNAVAILABLE, INVALID, SUMMARIZED }

  private Failures() {}

  static <T> StatusReply<T> reply(Code code, String message) {
    return StatusReply.error("[" + code + "] " + message);
  }

  /** The API exception for a failed ask, whatever its cause. */
  public static Throwable toException(Throwable t) {
    Throwable e = t instanceof CompletionException && t.getCause() != null ? t.getCause() : t;
    if (e instanceof TroupeException) {
      return e;
    }
    if (e instanceof TimeoutException) {
      // the ask's own message names actor paths and message classes: for the log, not a client
      log.warn("an ask of a worker entity timed out: {}", e.getMessage());
      return new RunRejectedException(RunRejectedException.Reason.UNAVAILABLE,
          "no answer from the worker entity in time (troupe.ask-timeout); a call may or may not"
              + " have been recorded: repeat it with the same idempotencyKey");
    }
    String text = e.getMessage() == null ? e.toString() : e.getMessage();
    if (!(e instanceof StatusReply.ErrorMessage) || !text.startsWith("[")) {
      return e;
    }
    int end = text.indexOf("] ");
    String message = text.substring(end + 2);
    switch (Code.valueOf(text.substring(1, end))) {
      case UNKNOWN_WORKER: return new UnknownWorkerException(message);
      case UNKNOWN_RUN: return new UnknownRunException(message);
      case SUMMARIZED: return new SummarizedRunException(message);
      case RUN_FINISHED: return new RunFinishedException(message);
      case QUEUE_FULL:
        return new RunRejectedException(RunRejectedException.Reason.QUEUE_FULL, message);
      case OVERLOADED:
        return new RunRejectedException(RunRejectedException.Reason.OVERLOADED, message);
      case SHUTTING_DOWN:
        return new RunRejectedException(RunRejectedException.Reason.SHUTTING_DOWN, message);
      case UNAVAILABLE:
        return new RunRejectedException(RunRejectedException.Reason.UNAVAILABLE, message);
      default: return new InvalidArgumentException(message);
    }
  }
}
