package dev.troupe.node.stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.troupe.api.RunEvent;
import dev.troupe.api.RunRejectedException;
import dev.troupe.api.RunResult;
import dev.troupe.api.SlowSubscriberException;
import dev.troupe.node.config.TroupeSettings;
import dev.troupe.persistence.RunClock;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.apache.pekko.NotUsed;
import org.apache.pekko.stream.BoundedSourceQueue;
import org.apache.pekko.stream.QueueOfferResult;
import org.apache.pekko.stream.javadsl.Source;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The numbered event stream of one run on the node that owns it: a bounded replay buffer and the
 * live subscribers, ended by the run's terminal event. It outlives the run actor's restarts and
 * is kept a while after the run ends, so late subscribers still get the outcome. Thread-safe:
 * events arrive from the entity and (non-durable streams) from handlers' threads.
 *
 * <p>A <b>durable</b> stream numbers nothing itself: the entity numbers and writes each event and
 * only then {@link #deliver}s it. A <b>non-durable</b> stream numbers its events here ({@link
 * #publishNext}), within the range {@code (base, base + VOLATILE_RESERVE]} that the entity
 * reserved in the journal before this stream issued any number, so a stream of the same run on a
 * later node starts after every number this one may have given out.
 */
public final class RunStream {
  private static final Logger log = LoggerFactory.getLogger(RunStream.class);

  /** Status events of one run that one batch may write besides its emits (QUEUED to the end). */
  private static final int BURST_STATUS_EVENTS = 4;

  /** The numbers a non-durable stream may use past its base (2^32: never reached in practice). */
  public static final long VOLATILE_RESERVE = 1L << 32;

  private final String runId;
  private final TroupeSettings settings;
  private final ObjectMapper mapper;
  private final boolean durable;
  private final long base;
  private final ArrayDeque<RunEvent> buffer = new ArrayDeque<>();
  private final List<Subscriber> subscribers = new ArrayList<>();
  private long lastSeq;
  private boolean finished;
  /** Why the node let go of the run's stream before its end, once it did. */
  private String abandoned;
  /** Once finished: the run, and the number and time of its {@code result} or {@code error} event. */
  private RunResult terminalRun;
  private long terminalSeq;
  private Instant terminalAt;
  /** That event, made when a subscriber first needs it (most runs never have one). */
  private RunEvent terminalEvent;

  private static final class Subscriber {
    BoundedSourceQueue<RunEvent> queue;
    volatile long delivered;

    Subscriber(long delivered) {
      this.delivered = delivered;
    }
  }

  /**
   * @param base the highest sequence number the run's stream used before this one (the run's
   *     {@code streamSeq}); this stream goes on after it
   */
  public RunStream(String runId, TroupeSettings settings, ObjectMapper mapper, boolean durable,
      long base) {
    this.runId = runId;
    this.settings = settings;
    this.mapper = mapper;
    this.durable = durable;
    this.base = base;
    this.lastSeq = base;
  }

  public String runId() {
    return runId;
  }

  public boolean durable() {
    return durable;
  }

  public long base() {
    return base;
  }

  /** Numbers and publishes an event of a non-durable stream; ignored once the run finished. */
  public synchronized void publishNext(String type, JsonNode data) {
    if (!finished) {
      append(new RunEvent(lastSeq + 1, type, data, RunClock.now()));
    }
  }

  /** Publishes an event of a durable stream as the entity wrote it; ignored once finished. */
  public synchronized void deliver(RunEvent e) {
    if (!finished) {
      append(e);
    }
  }

  /**
   * Publishes the terminal event ({@code seq}: a durable stream's, as written; 0 to number it
   * here) and ends every subscriber's stream.
   */
  public synchronized void finish(long seq, Instant at, RunResult run) {
    if (finished) {
      return;
    }
    terminalRun = run;
    terminalSeq = seq != 0 ? seq : lastSeq + 1;
    terminalAt = at;
    lastSeq = terminalSeq;
    finished = true;
    // the terminal event counts as one of the replay buffer's events
    if (buffer.size() >= settings.replayBuffer()) {
      buffer.removeFirst();
    }
    for (Subscriber s : subscribers) {
      boolean dropped = s.queue.offer(terminalEvent()) == QueueOfferResult.dropped();
      end(s.queue, dropped ? new SlowSubscriberException(s.delivered) : null);
    }
    subscribers.clear();
  }

  /** The terminal event of a finished run; its data is the finished run. */
  private RunEvent terminalEvent() {
    if (terminalEvent == null) {
      terminalEvent = new RunEvent(terminalSeq,
          terminalRun.error() == null ? RunEvent.RESULT : RunEvent.ERROR,
          mapper.valueToTree(terminalRun), terminalAt);
    }
    return terminalEvent;
  }

  /** The node is letting go of the run (its entity stopped): subscribers must resume elsewhere. */
  public synchronized void abandon(String reason) {
    abandoned = reason;
    for (Subscriber s : subscribers) {
      end(s.queue, new RunStreamMoved(reason, s.delivered));
    }
    subscribers.clear();
  }

  private void append(RunEvent e) {
    if (!durable && e.seq() > base + VOLATILE_RESERVE) {
      log.error("run {}: event {} dropped: a non-durable stream numbers at most {} events per"
          + " node", runId, e.seq(), VOLATILE_RESERVE);
      return;
    }
    lastSeq = e.seq();
    buffer.addLast(e);
    if (buffer.size() > settings.replayBuffer()) {
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
  public Source<RunEvent, NotUsed> subscribe(long afterSeq) {
    // a durable stream's events arrive a journal write at a time: up to max-batch emits of this
    // run and a few status events at once, which a subscriber keeping up must be able to take
    int capacity = settings.replayBuffer() + settings.subscriberBuffer() + 1
        + (durable ? settings.maxBatch() + BURST_STATUS_EVENTS : 0);
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
    if (abandoned != null && !finished) {
      end(queue, new RunStreamMoved(abandoned, sub.delivered));
      return;
    }
    if (!finished && subscribers.size() >= settings.maxSubscribers()) {
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
      queue.offer(StreamNotices.gap(mapper, afterSeq + 1, oldest - 1, durable));
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
  public synchronized int subscriberCount() {
    return subscribers.size();
  }
}
