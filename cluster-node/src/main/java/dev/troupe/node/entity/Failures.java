package dev.troupe.node.entity;

import dev.troupe.api.InvalidArgumentException;
import dev.troupe.api.RunFinishedException;
import dev.troupe.api.RunRejectedException;
import dev.troupe.api.TroupeException;
import dev.troupe.api.UnknownRunException;
import dev.troupe.api.UnknownWorkerException;
import dev.troupe.node.entity.WorkerEntity.Refused;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An entity's {@link Refused} replies and the API's exceptions, one into the other: refusals cross
 * nodes as values, and the caller's side throws the exception that names the same reason.
 */
public final class Failures {
  private static final Logger log = LoggerFactory.getLogger(Failures.class);

  private Failures() {}

  /** The API's exception for a refusal. */
  public static TroupeException toException(Refused r) {
    return switch (r.reason()) {
      case UNKNOWN_WORKER -> new UnknownWorkerException(r.message());
      case UNKNOWN_RUN -> new UnknownRunException(r.message());
      case SUMMARIZED -> new SummarizedRunException(r.message());
      case RUN_FINISHED -> new RunFinishedException(r.message());
      case QUEUE_FULL -> rejected(RunRejectedException.Reason.QUEUE_FULL, r);
      case OVERLOADED -> rejected(RunRejectedException.Reason.OVERLOADED, r);
      case SHUTTING_DOWN -> rejected(RunRejectedException.Reason.SHUTTING_DOWN, r);
      case UNAVAILABLE -> rejected(RunRejectedException.Reason.UNAVAILABLE, r);
      case NO_NODE_FOR_ROLE -> rejected(RunRejectedException.Reason.NO_NODE_FOR_ROLE, r);
      case INVALID -> new InvalidArgumentException(r.message());
    };
  }

  private static RunRejectedException rejected(RunRejectedException.Reason reason, Refused r) {
    return new RunRejectedException(reason, r.message());
  }

  /**
   * The answer of type {@code answer} that {@code reply} carries; a {@link Refused} reply is thrown
   * as the API's exception instead.
   */
  public static <A> A answer(Object reply, Class<A> answer) {
    if (reply instanceof Refused r) {
      throw toException(r);
    }
    return answer.cast(reply);
  }

  /** The API exception for a failed ask, whatever its cause. */
  public static Throwable toException(Throwable t) {
    Throwable e = t instanceof CompletionException && t.getCause() != null ? t.getCause() : t;
    if (e instanceof TimeoutException) {
      // the ask's own message names actor paths and message classes: for the log, not a client
      log.warn("an ask of a worker entity timed out: {}", e.getMessage());
      return new RunRejectedException(RunRejectedException.Reason.UNAVAILABLE,
          "no answer from the worker entity in time (troupe.ask-timeout); a call may or may not"
              + " have been recorded: repeat it with the same idempotencyKey");
    }
    return e;
  }

  /**
   * The refusal that an ask's failure stands for, to pass on to another actor: the reason of the
   * API's exception it became, else {@code UNAVAILABLE} with a message that names no internals.
   */
  public static Refused toRefusal(Throwable t) {
    Throwable e = toException(t);
    if (e instanceof UnknownWorkerException) {
      return new Refused(Refused.Reason.UNKNOWN_WORKER, e.getMessage());
    } else if (e instanceof SummarizedRunException) {
      return new Refused(Refused.Reason.SUMMARIZED, e.getMessage());
    } else if (e instanceof UnknownRunException) {
      return new Refused(Refused.Reason.UNKNOWN_RUN, e.getMessage());
    } else if (e instanceof RunFinishedException) {
      return new Refused(Refused.Reason.RUN_FINISHED, e.getMessage());
    } else if (e instanceof InvalidArgumentException) {
      return new Refused(Refused.Reason.INVALID, e.getMessage());
    } else if (e instanceof RunRejectedException r) {
      return new Refused(reasonOf(r.reason()), e.getMessage());
    }
    return new Refused(Refused.Reason.UNAVAILABLE,
        "the run could not be started: " + e.getClass().getSimpleName());
  }

  private static Refused.Reason reasonOf(RunRejectedException.Reason reason) {
    return switch (reason) {
      case QUEUE_FULL -> Refused.Reason.QUEUE_FULL;
      case OVERLOADED -> Refused.Reason.OVERLOADED;
      case SHUTTING_DOWN -> Refused.Reason.SHUTTING_DOWN;
      case UNAVAILABLE -> Refused.Reason.UNAVAILABLE;
      case NO_NODE_FOR_ROLE -> Refused.Reason.NO_NODE_FOR_ROLE;
    };
  }
}
