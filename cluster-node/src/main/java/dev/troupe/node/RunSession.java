package dev.troupe.node;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.troupe.api.RunEvent;
import dev.troupe.api.RunRejectedException;
import dev.troupe.api.RunResult;
import dev.troupe.api.SlowSubscriberException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.pattern.StatusReply;
import org.apache.pekko.stream.BoundedSourceQueue;
import org.apache.pekko.stream.QueueOfferResult;
import org.apache.pekko.stream.javadsl.Source;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The in-memory side of one run on the node that owns it: its numbered event stream (a bounded
 * replay buffer and the live subscribers), the attempt in flight (to cancel it), the callers
 * waiting for its result and its per-run state. It outlives the run actor's restarts, so the
 * stream and the state go on across attempts. Thread-safe: handlers publish from their threads.
 */
final class RunSession {
  private static final Logger log = LoggerFactory.getLogger(RunSession.class);

  private final String runId;
  private final NodeRuntime runtime;
  private final ArrayDeque<RunEvent> buffer = new ArrayDeque<>();
  private final List<Subscriber> subscribers = new ArrayList<>();
  private final List<ActorRef<StatusReply<RunResult>>> waiters = new ArrayList<>();
  final Map<String, Object> state = new ConcurrentHashMap<>();
  private long lastSeq;
  private boolean finished;
  /** The {@code result} or {@code error} event, once finished. */
  private RunEvent terminal;
  private volatile AttemptContext attempt;
  private volatile long lastEpoch = -1;

  private static final class Subscriber {
    BoundedSourceQueue<RunEvent> queue;
    volatile long delivered;

    Subscriber(long delivered) {
      this.delivered = delivered;
    }
  }

  RunSession(String runId, NodeRuntime runtime) {
    this.runId = runId;
    this.runtime = runtime;
  }

  String runId() {
    return runId;
  }

  // attempts

  void beginAttempt(AttemptContext ctx) {
    attempt = ctx;
    lastEpoch = ctx.epoch();
  }

  /** The epoch of the latest attempt begun on this node, ended or not; -1 if none. */
  long lastEpoch() {
    return lastEpoch;
  }

  /** Ends the attempt {@code epoch}: its later emits are ignored. */
  void endAttempt(long epoch) {
    AttemptContext a = attempt;
    if (a != null && a.epoch() == epoch) {
      attempt = null;
    }
  }

  /** The epoch of the attempt in flight, or -1. */
  long currentEpoch() {
    AttemptContext a = attempt;
    return a == null ? -1 : a.epoch();
  }

  /** Cancels the attempt in flight, if any (interrupts a blocking handler). */
  void cancelAttempt(String reason) {
    AttemptContext a = attempt;
    if (a != null) {
      a.cancel(reason);
    }
  }

  // the stream

  /** Publishes an event of the attempt {@code epoch}; ignored (and logged) once it is superseded. */
  void publish(long epoch, String type, JsonNode data) {
    synchronized (this) {
      AttemptContext current = attempt;
      if (!finished && current != null && current.epoch() == epoch) {
        append(type, data);
        return;
      }
    }
    log.info("run {}: ignored a {} event from superseded attempt (epoch {})", runId, type, epoch);
  }

  /** Publishes an event on the entity's behalf (status changes). */
  synchronized void publishStatus(ObjectNode data) {
    if (!finished) {
      append(RunEvent.STATUS, data);
    }
  }

  /** Publishes the terminal event, ends every subscriber's stream and answers the waiters. */
  void finish(RunResult run) {
    List<ActorRef<StatusReply<RunResult>>> toAnswer;
    synchronized (this) {
      if (finished) {
        return;
      }
      JsonNode data = runtime.mapper.valueToTree(run);
      terminal = append(run.error() == null ? RunEvent.RESULT : RunEvent.ERROR, data);
      finished = true;
      for (Subscriber s : subscribers) {
        end(s.queue, null);
      }
      subscribers.clear();
      toAnswer = new ArrayList<>(waiters);
      waiters.clear();
      attempt = null;
      state.clear();
    }
    toAnswer.forEach(w -> w.tell(StatusReply.success(run)));
  }

  /**
   * Answers {@code waiter} with the run once it has finished.
   *
   * @return false when the run has already finished (answer from its record instead)
   */
  synchronized boolean awaitResult(ActorRef<StatusReply<RunResult>> waiter) {
    if (!finished) {
      waiters.add(waiter);
    }
    return !finished;
  }

  /** The node is letting go of the run (its entity stopped): subscribers must resume elsewhere. */
  synchronized void abandon(String reason) {
    for (Subscriber s : subscribers) {
      end(s.queue, new IllegalStateException(reason + "; resume after seq " + s.delivered));
    }
    subscribers.clear();
    waiters.forEach(w -> w.tell(Failures.reply(Failures.Code.UNAVAILABLE, reason)));
    waiters.clear();
  }

  private RunEvent append(String type, JsonNode data) {
    RunEvent e = new RunEvent(++lastSeq, type, data, NodeRuntime.now());
    buffer.addLast(e);
    if (buffer.size() > runtime.settings.replayBuffer()) {
      buffer.removeFirst();
    }
    Iterator<Subscriber> it = subscribers.iterator();
    while (it.hasNext()) {
      Subscriber s = it.next();
      QueueOfferResult r = s.queue.offer(e);
      if (r == QueueOfferResult.dropped()) {
        end(s.queue, new SlowSubscriberException(s.delivered));
        it.remove();
      } else if (r != QueueOfferResult.enqueued()) {
        it.remove();
      }
    }
    return e;
  }

  /**
   * The events after {@code afterSeq}: those still buffered, then live ones, ending after the
   * terminal event. When some were already dropped from the buffer, a {@code status} event with
   * {@code "gap"} stands in their place (it carries the last missed sequence number). A
   * subscriber at or past the end of a finished run's stream gets its terminal event again (with
   * its sequence number), so that one who resumes after the end still learns the outcome. Each
   * materialization is a new subscriber, attached when it is materialized and detached when its
   * stream ends or is cancelled; its queue runs fused with the subscriber's own stages (no extra
   * actor). Past {@code max-subscribers} the stream fails with {@link RunRejectedException}.
   */
  Source<RunEvent, NotUsed> subscribe(long afterSeq) {
    int capacity = runtime.settings.replayBuffer() + runtime.settings.subscriberBuffer() + 1;
    return Source.fromMaterializer((mat, attributes) -> {
      Subscriber sub = new Subscriber(afterSeq);
      return Source.<RunEvent>queue(capacity)
          .mapMaterializedValue(queue -> {
            attach(sub, queue);
            return NotUsed.getInstance();
          })
          .map(e -> {
            sub.delivered = e.seq();
            return e;
          })
          .watchTermination((nu, done) -> {
            done.whenComplete((d, t) -> unsubscribe(sub));
            return NotUsed.getInstance();
          });
    }).mapMaterializedValue(m -> NotUsed.getInstance());
  }

  private synchronized void attach(Subscriber sub, BoundedSourceQueue<RunEvent> queue) {
    sub.queue = queue;
    if (!finished && subscribers.size() >= runtime.settings.maxSubscribers()) {
      end(queue, new RunRejectedException(RunRejectedException.Reason.OVERLOADED, "run " + runId
          + " already has " + subscribers.size() + " subscribers"
          + " (troupe.worker.stream.max-subscribers)"));
      return;
    }
    long afterSeq = sub.delivered;
    // the terminal event is offered even when the buffer no longer holds it
    long oldest = !buffer.isEmpty() ? buffer.peekFirst().seq() : finished ? terminal.seq() : lastSeq + 1;
    if (afterSeq + 1 < oldest) {
      ObjectNode gap = runtime.mapper.createObjectNode();
      gap.putObject("gap").put("from", afterSeq + 1).put("to", oldest - 1);
      gap.put("message", "events " + (afterSeq + 1) + " to " + (oldest - 1)
          + " are no longer in the replay buffer");
      queue.offer(new RunEvent(oldest - 1, RunEvent.STATUS, gap, NodeRuntime.now()));
    }
    boolean replayed = false;
    for (RunEvent e : buffer) {
      if (e.seq() > afterSeq) {
        queue.offer(e);
        replayed = true;
      }
    }
    if (finished) {
      if (!replayed) {
        queue.offer(terminal);
      }
      end(queue, null);
    } else {
      subscribers.add(sub);
    }
  }

  /**
   * Completes (or fails) a subscriber's queue. Its subscriber may have cancelled already, which
   * makes the queue refuse: nothing is left to tell it then.
   */
  private static void end(BoundedSourceQueue<RunEvent> queue, Throwable failure) {
    try {
      if (failure == null) {
        queue.complete();
      } else {
        queue.fail(failure);
      }
    } catch (IllegalStateException alreadyDone) {
      // the subscriber is gone
    }
  }

  private synchronized void unsubscribe(Subscriber sub) {
    subscribers.remove(sub);
  }

  /** Subscribers attached to the live stream now (finished runs have none). */
  synchronized int subscriberCount() {
    return subscribers.size();
  }
}
