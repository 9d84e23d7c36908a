package dev.troupe.node.run;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.troupe.api.RunEvent;
import dev.troupe.api.RunRejectedException;
import dev.troupe.api.RunResult;
import dev.troupe.node.stream.RunStream;
import dev.troupe.persistence.RunClock;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The in-memory side of one active run on the node that owns it: the attempt in flight (its
 * fence: only its epoch may publish, and cancelling the run cancels it), the run's per-run state
 * and its {@link RunStream}. It outlives the run actor's restarts, so the stream and the state go
 * on across attempts. Thread-safe: handlers publish from their threads.
 *
 * <p>On a durable stream a handler's events go to the entity ({@link EntityChannel#emit}), which
 * numbers and writes them in its group commit and only then {@link #deliver}s them (persist, then
 * act); at most {@code max-unwritten-emits} may wait for their write. A non-durable stream's
 * events go straight to the stream.
 */
public final class LiveRun {
  private static final Logger log = LoggerFactory.getLogger(LiveRun.class);

  /** The attempt in flight, as the fence sees it. */
  public interface Attempt {
    long epoch();

    /** Cancels the attempt: at most once, whatever the number of calls. */
    void cancel(String reason);
  }

  private final RunStream stream;
  private final EntityChannel entity;
  private final int maxUnwrittenEmits;
  private final AtomicInteger unwritten = new AtomicInteger();
  final Map<String, Object> state = new ConcurrentHashMap<>();
  private volatile Attempt attempt;
  private volatile long lastEpoch = -1;
  /** Non-durable: the entity has written this stream's reservation (read on its thread only). */
  private boolean reserved;

  public LiveRun(RunStream stream, EntityChannel entity, int maxUnwrittenEmits) {
    this.stream = stream;
    this.entity = entity;
    this.maxUnwrittenEmits = maxUnwrittenEmits;
  }

  public String runId() {
    return stream.runId();
  }

  public RunStream stream() {
    return stream;
  }

  /** Whether the entity still has to reserve this non-durable stream's numbers in the journal. */
  public boolean needsReservation() {
    return !stream.durable() && !reserved;
  }

  /** The entity wrote (or is writing, in the same batch) this stream's reservation. */
  public void reserved() {
    reserved = true;
  }

  // the fence

  void beginAttempt(Attempt a) {
    attempt = a;
    lastEpoch = a.epoch();
  }

  /** The epoch of the latest attempt begun on this node, ended or not; -1 if none. */
  long lastEpoch() {
    return lastEpoch;
  }

  /** Ends the attempt {@code epoch}: its later emits are ignored. */
  void endAttempt(long epoch) {
    Attempt a = attempt;
    if (a != null && a.epoch() == epoch) {
      attempt = null;
    }
  }

  /** The epoch of the attempt in flight, or -1. */
  long currentEpoch() {
    Attempt a = attempt;
    return a == null ? -1 : a.epoch();
  }

  /** Cancels the attempt in flight, if any (interrupts a blocking handler). */
  public void cancelAttempt(String reason) {
    Attempt a = attempt;
    if (a != null) {
      a.cancel(reason);
    }
  }

  // the stream

  /**
   * Publishes an event of the attempt {@code epoch}; ignored (and logged) once it is superseded.
   * A durable stream's event is sent to the entity to be written first; its attempt has checked
   * {@code data} against the run data's limits.
   *
   * @throws RunRejectedException (OVERLOADED) when {@code max-unwritten-emits} events of this
   *     durable stream wait for their write already
   */
  void publish(long epoch, String type, JsonNode data) {
    Attempt current = attempt;
    if (current == null || current.epoch() != epoch) {
      log.info("run {}: ignored a {} event from superseded attempt (epoch {})", runId(), type,
          epoch);
      return;
    }
    if (!stream.durable()) {
      stream.publishNext(type, data);
      return;
    }
    if (unwritten.incrementAndGet() > maxUnwrittenEmits) {
      unwritten.decrementAndGet();
      throw new RunRejectedException(RunRejectedException.Reason.OVERLOADED, "run " + runId()
          + " has " + maxUnwrittenEmits + " emitted events waiting to be"
          + " written (troupe.worker.stream.max-unwritten-emits)");
    }
    entity.emit(runId(), epoch, type, data, RunClock.now());
  }

  /** Publishes an event of a non-durable stream on the entity's behalf (a status, a step). */
  public void publishOwn(String type, ObjectNode data) {
    stream.publishNext(type, data);
  }

  /**
   * Hands over an event of a durable stream once the entity has written it; {@code emitted} when
   * it came from {@link #publish} (it no longer waits for its write).
   */
  public void deliver(RunEvent e, boolean emitted) {
    if (emitted) {
      unwritten.decrementAndGet();
    }
    stream.deliver(e);
  }

  /** An emitted event the entity refused (its attempt was superseded): it waits no longer. */
  public void refused() {
    unwritten.decrementAndGet();
  }

  /** The run ended: its stream ends with {@code run}, its attempt and state are let go. */
  public void finish(long seq, Instant at, RunResult run) {
    stream.finish(seq, at, run);
    attempt = null;
    state.clear();
  }
}
