package dev.troupe.node;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.troupe.api.RunEvent;
import dev.troupe.api.RunRejectedException;
import dev.troupe.api.RunResult;
import dev.troupe.api.SlowSubscriberException;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
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
 *
 * <p>A <b>durable</b> stream (the definition's {@code durableStream}) numbers nothing itself: a
 * handler's events go to the entity as {@link WorkerEntity.Emit}, the entity gives them their
 * sequence numbers and writes them in its group commit, and only then {@link #deliver}s them here
 * (persist, then act); at most {@code max-unwritten-emits} may wait for their write. A
 * <b>non-durable</b> stream numbers its events here, in memory, within the range {@code (base,
 * base + VOLATILE_RESERVE]} that the entity reserved in the journal ({@link
 * dev.troupe.persistence.WorkerEvent.StreamReserved}) before the session issued any number, so a
 * session on a later node starts after every number this one may have given out.
 */
final class RunSession {
  private static final Logger log = LoggerFactory.getLogger(RunSession.class);

  /** Status events of one run that one batch may write besides its emits (QUEUED to the end). */
  private static final int BURST_STATUS_EVENTS = 4;

  /** The numbers a non-durable session may use past its base (2^32: never reached in practice). */
  static final long VOLATILE_RESERVE = 1L << 32;

  private final String runId;
  private final NodeRuntime runtime;
  private final ActorRef<WorkerEntity.Command> entity;
  private final boolean durable;
  private final long base;
  private final ArrayDeque<RunEvent> buffer = new ArrayDeque<>();
  private final List<Subscriber> subscribers = new ArrayList<>();
  private final List<ActorRef<StatusReply<RunResult>>> waiters = new ArrayList<>();
  private final AtomicInteger unwritten = new AtomicInteger();
  final Map<String, Object> state = new ConcurrentHashMap<>();
  private long lastSeq;
  private boolean finished;
  /** Non-durable: the entity has written this session's reservation (read on its thread only). */
  boolean reserved;
  /** Once finished: the run, and the number and time of its {@code result} or {@code error} event. */
  private RunResult terminalRun;
  private long terminalSeq;
  private Instant terminalAt;
  /** That event, made when a subscriber first needs it (most runs never have one). */
  private RunEvent terminalEvent;
  private volatile AttemptContext attempt;
  private volatile long lastEpoch = -1;

  private static final class Subscriber {
    BoundedSourceQueue<RunEvent> queue;
    volatile long delivered;

    Subscriber(long delivered) {
      this.delivered = delivered;
    }
  }

  /**
   * @param entity the run's entity (its front), where a durable stream's events are written
   * @param base the highest sequence number the run's stream used before this session (the run's
   *     {@code streamSeq}); this session goes on after it
   */
  RunSession(String runId, NodeRuntime runtime, ActorRef<WorkerEntity.Command> entity,
      boolean durable, long base) {
    this.runId = runId;
    this.runtime = runtime;
    this.entity = entity;
    this.durable = durable;
    this.base = base;
    this.lastSeq = base;
  }

  String runId() {
    return runId;
  }

  boolean durable() {
    return durable;
  }

  long base() {
    return base;
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

  /**
   * Publishes an event of the attempt {@code epoch}; ignored (and logged) once it is superseded.
   * A durable stream's event is sent to the entity to be written first.
   *
   * @throws RunRejectedException (OVERLOADED) when {@code max-unwritten-emits} events of this
   *     durable stream wait for their write already
   */
  void publish(long epoch, String type, JsonNode data) {
    synchronized (this) {
      AttemptContext current = attempt;
      if (!finished && current != null && current.epoch() == epoch) {
        if (!durable) {
          append(new RunEvent(lastSeq + 1, type, data, NodeRuntime.now()));
          return;
        }
      } else {
        log.info("run {}: ignored a {} event from superseded attempt (epoch {})", runId, type,
            epoch);
        return;
      }
    }
    if (unwritten.incrementAndGet() > runtime.settings.maxUnwrittenEmits()) {
      unwritten.decrementAndGet();
      throw new RunRejectedException(RunRejectedException.Reason.OVERLOADED, "run " + runId
          + " has " + runtime.settings.maxUnwrittenEmits() + " emitted events waiting to be"
          + " written (troupe.worker.stream.max-unwritten-emits)");
    }
    entity.tell(new WorkerEntity.Emit(runId, epoch, type, data, NodeRuntime.now()));
  }

  /** Publishes an event of a non-durable stream on the entity's behalf (status changes). */
  synchronized void publishStatus(ObjectNode data) {
    if (!finished) {
      append(new RunEvent(lastSeq + 1, RunEvent.STATUS, data, NodeRuntime.now()));
    }
  }

  /**
   * Hands over an event of a durable stream once the entity has written it; {@code emitted} when
   * it came from {@link #publish} (it no longer waits for its write).
   */
  void deliver(RunEvent e, boolean emitted) {
    if (emitted) {
      unwritten.decrementAndGet();
    }
    synchronized (this) {
      if (!finished) {
        append(e);
      }
    }
  }

  /** An emitted event the entity refused (its attempt was superseded): it waits no longer. */
  void refused() {
    unwritten.decrementAndGet();
  }

  /**
   * Publishes the terminal event ({@code seq}: a durable stream's, as written; 0 to number it
   * here), ends every subscriber's stream and answers the waiters.
   */
  void finish(long seq, Instant at, RunResult run) {
    List<ActorRef<StatusReply<RunResult>>> toAnswer;
    synchronized (this) {
      if (finished) {
        return;
      }
      terminalRun = run;
      terminalSeq = seq != 0 ? seq : lastSeq + 1;
      terminalAt = at;
      lastSeq = terminalSeq;
      finished = true;
      // the terminal event counts as one of the replay buffer's events
      if (buffer.size() >= runtime.settings.replayBuffer()) {
        buffer.removeFirst();
      }
      for (Subscriber s : subscribers) {
        boolean dropped = s.queue.offer(terminalEvent()) == QueueOfferResult.dropped();
        end(s.queue, dropped ? new SlowSubscriberException(s.delivered) : null);
      }
      subscribers.clear();
      toAnswer = new ArrayList<>(waiters);
      waiters.clear();
      attempt = null;
      state.clear();
    }
    toAnswer.forEach(w -> w.tell(StatusReply.success(run)));
  }

  /** The terminal event of a finished run; its data is the finished run. */
  private RunEvent terminalEvent() {
    if (terminalEvent == null) {
      terminalEvent = new RunEvent(terminalSeq,
          terminalRun.error() == null ? RunEvent.RESULT : RunEvent.ERROR,
          runtime.mapper.valueToTree(terminalRun), terminalAt);
    }
    return terminalEvent;
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

  private void append(RunEvent e) {
    if (!durable && e.seq() > base + VOLATILE_RESERVE) {
      log.error("run {}: event {} dropped: a non-durable stream numbers at most {} events per"
          + " node", runId, e.seq(), VOLATILE_RESERVE);
      return;
    }
    lastSeq = e.seq();
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
    // a durable stream's events arrive a journal write at a time: up to max-batch emits of this
    // run and a few status events at once, which a subscriber keeping up must be able to take
    int capacity = runtime.settings.replayBuffer() + runtime.settings.subscriberBuffer() + 1
        + (durable ? runtime.settings.maxBatch() + BURST_STATUS_EVENTS : 0);
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
    // the terminal event is not in the buffer: it is offered to every subscriber of a finished
    // run, again (with its number) to one that resumes at or past it
    long oldest = !buffer.isEmpty() ? buffer.peekFirst().seq() : lastSeq + 1;
    if (afterSeq + 1 < oldest) {
      queue.offer(gapNotice(runtime.mapper, afterSeq + 1, oldest - 1, durable));
    }
    for (RunEvent e : buffer) {
      if (e.seq() > afterSeq) {
        queue.offer(e);
      }
    }
    if (finished) {
      queue.offer(terminalEvent());
      end(queue, null);
    } else {
      subscribers.add(sub);
    }
  }

  /**
   * The {@code status} event that stands for events {@code from} to {@code to} (its {@code seq}),
   * which a subscriber asked for and this node does not hold: {@code "gap": {"from", "to"}}, and
   * {@code "stored": true} when the run's stream is durable, so they are in the run history's
   * {@code troupe_run_events} (the facade reads them there and never passes this notice on,
   * unless the history cannot give them).
   */
  static RunEvent gapNotice(ObjectMapper mapper, long from, long to, boolean stored) {
    ObjectNode gap = mapper.createObjectNode();
    gap.putObject("gap").put("from", from).put("to", to);
    gap.put("stored", stored);
    gap.put("message", stored
        ? "events " + from + " to " + to + " are no longer in memory on the run's node"
        : "events " + from + " to " + to + " are not kept: the run's stream is not durable, and"
            + " they left the replay buffer or were lost with a node that ran the run");
    return new RunEvent(to, RunEvent.STATUS, gap, NodeRuntime.now());
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
