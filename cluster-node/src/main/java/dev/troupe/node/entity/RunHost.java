package dev.troupe.node.entity;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.troupe.api.RetryPolicy;
import dev.troupe.api.RunError;
import dev.troupe.api.RunEvent;
import dev.troupe.api.RunResult;
import dev.troupe.api.RunStatus;
import dev.troupe.api.WorkerConfig;
import dev.troupe.node.registry.Registration;
import dev.troupe.node.run.Granted;
import dev.troupe.node.run.LiveRun;
import dev.troupe.node.run.RunActor;
import dev.troupe.node.stream.RunStream;
import dev.troupe.node.stream.StreamNotices;
import dev.troupe.persistence.RunRecord;
import dev.troupe.persistence.WorkerEvent;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.stream.javadsl.Source;

/**
 * What one worker entity holds of its runs on the node that hosts it, beside its event-sourced
 * state: each active run's {@link LiveRun} and actor, the node slots it holds, the callers waiting
 * for results and, for a while, the streams of finished runs. The one owner of all of it; used on
 * the entity's thread only, and let go when the entity stops or restarts.
 */
final class RunHost {
  private final String worker;
  private final EntityServices services;
  private final ActorContext<WorkerEntity.Command> ctx;
  private final FrontChannel channel;
  private final Runnable slotsFreed;
  private final Map<String, LiveRun> live = new HashMap<>();
  private final Map<String, RunStream> finished;
  private final Map<String, ActorRef<RunActor.Command>> children = new HashMap<>();
  private final Set<String> slotHolders = new HashSet<>();
  private final Map<String, List<Waiter>> waiters = new HashMap<>();
  private int waiterCount;

  /** A caller waiting for a run's end, whose ask has surely timed out after {@code expires}. */
  private record Waiter(ActorRef<WorkerEntity.RunReply> replyTo, long expires) {}

  RunHost(String worker, EntityServices services, ActorContext<WorkerEntity.Command> ctx,
      ActorRef<WorkerEntity.Command> front) {
    this.worker = worker;
    this.services = services;
    this.ctx = ctx;
    this.channel = new FrontChannel(front, services.settings().askTimeout(),
        services.system().scheduler(), services.system().dispatchers()
            .lookup(DispatcherSelector.fromConfig("troupe.callback-dispatcher")));
    this.slotsFreed = () -> front.tell(WorkerEntity.SlotsFreed.INSTANCE);
    int retained = services.settings().retainedStreams();
    this.finished = new LinkedHashMap<>(16, 0.75f, false) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<String, RunStream> eldest) {
        if (size() > retained) {
          services.streams().remove(eldest.getKey());
          return true;
        }
        return false;
      }
    };
  }

  /** Whether this definition's runs have durable streams (the default when not registered here). */
  boolean durable() {
    return services.registry().find(worker).map(r -> r.definition().config())
        .orElse(WorkerConfig.DEFAULT).durableStream();
  }

  // live runs and their streams

  /** The live side of an active run here, if it has one yet. */
  LiveRun find(String runId) {
    return live.get(runId);
  }

  /**
   * The live side of an active run on this node, made when first needed: its stream goes on after
   * the highest sequence number it used before ({@code streamSeq} of the run as decided so far).
   * Made while deciding a batch, so that a reservation can be written with it; if the write
   * fails, the entity restarts and lets every run go.
   */
  LiveRun live(Decision d, String runId) {
    LiveRun r = live.get(runId);
    if (r == null) {
      long base = d.state().run(runId).map(RunRecord::streamSeq).orElse(0L);
      RunStream stream = new RunStream(runId, services.settings(), services.mapper(), durable(),
          base);
      r = new LiveRun(stream, channel, services.settings().maxUnwrittenEmits());
      live.put(runId, r);
      services.streams().add(stream);
    }
    return r;
  }

  /**
   * Adds a status event to the run's stream: for a durable stream, written in this batch and
   * delivered once written; else numbered by the stream once the batch (with the stream's
   * reservation, if it had none yet) is written.
   */
  void status(Decision d, String runId, RunStatus s, int attempt, RunError error) {
    ObjectNode n = services.mapper().createObjectNode().put("status", s.name())
        .put("attempt", attempt);
    if (error != null) {
      ObjectNode e = n.putObject("error").put("code", error.code().name())
          .put("message", error.message());
      if (error.label() != null) {
        e.put("label", error.label());
      }
    }
    event(d, runId, RunEvent.STATUS, n);
  }

  /** Adds an event the entity makes ({@code type} status or step) to the run's stream, as above. */
  void event(Decision d, String runId, String type, ObjectNode data) {
    LiveRun r = live(d, runId);
    if (r.stream().durable()) {
      RunEvent e = written(d, runId, type, data, d.now);
      d.then(() -> r.deliver(e, false));
    } else {
      reserve(d, r);
      d.then(() -> r.publishOwn(type, data));
    }
  }

  /** Writes the run's next durable stream event; returns it as subscribers get it. */
  RunEvent written(Decision d, String runId, String type, JsonNode data, Instant at) {
    return new RunEvent(writtenSeq(d, runId, type, data, at), type, data, at);
  }

  /**
   * Writes the run's next durable stream event; returns its sequence number. The terminal event
   * is written without data: its data is the finished run.
   */
  long writtenSeq(Decision d, String runId, String type, JsonNode data, Instant at) {
    long seq = d.state().activeRun(runId).orElseThrow().streamSeq() + 1;
    d.persist(new WorkerEvent.RunStreamed(runId, seq, type, data, at));
    return seq;
  }

  /** Before a non-durable stream issues its first number: its range, in the same batch. */
  void reserve(Decision d, LiveRun r) {
    if (r.needsReservation()) {
      d.persist(new WorkerEvent.StreamReserved(r.runId(),
          r.stream().base() + RunStream.VOLATILE_RESERVE, d.now));
      r.reserved();
    }
  }

  /**
   * The run ended (its end is written): its stream ends with its outcome and is kept a while
   * (not when the run is {@code summarized}: its stream would hold its data), its waiters are
   * answered, its actor and slot let go.
   */
  void ended(String runId, long endSeq, Instant at, RunResult run, boolean cancelled,
      boolean summarized) {
    LiveRun r = live.remove(runId);
    if (r != null) {
      if (cancelled) {
        r.cancelAttempt("cancelled");
      }
      r.finish(endSeq, at, run);
      if (summarized) {
        services.streams().remove(runId); // its subscribers so far get the end all the same
      } else {
        finished.put(runId, r.stream());
      }
    }
    List<Waiter> w = waiters.remove(runId);
    if (w != null) {
      waiterCount -= w.size();
      w.forEach(waiter -> waiter.replyTo().tell(new WorkerEntity.RunFound(run)));
    }
    letGoOf(runId);
  }

  /** The run's attempt here is given up (the run was queued again): cancel it, free its slot. */
  void interrupted(String runId, String why) {
    LiveRun r = live.get(runId);
    if (r != null) {
      r.cancelAttempt(why);
    }
    letGoOf(runId);
  }

  private void letGoOf(String runId) {
    stopChild(runId);
    if (slotHolders.remove(runId)) {
      services.slots().release(worker, 1);
    }
  }

  // slots and run actors

  /**
   * Takes a node slot for the run (within the node's cap, and this definition's cap on the node
   * when it has one); false (and told when one frees) when none is free.
   */
  boolean takeSlot(Decision d, String runId) {
    if (!services.slots().tryAcquire(worker)) {
      d.then(() -> services.slots().await(worker, slotsFreed));
      return false;
    }
    slotHolders.add(runId);
    return true;
  }

  boolean hasActor(String runId) {
    return children.containsKey(runId);
  }

  /** Starts the run's actor for the attempt {@code grant} (once the grant is written). */
  void spawn(Registration reg, RunRecord r, Granted grant) {
    RetryPolicy p = reg.definition().config().retry();
    RunActor.Init init = new RunActor.Init(services.runs(), live.get(r.runId()), reg, channel,
        r.payload(), r.timeoutMs(), new AtomicReference<>(grant), r.spec());
    Behavior<RunActor.Command> supervised = Behaviors.supervise(RunActor.create(init))
        .onFailure(RunActor.RetryAttempt.class,
            SupervisorStrategy.restartWithBackoff(p.initialBackoff(), p.maxBackoff(), p.jitter())
                // the backoff must keep growing even when an attempt ran a long time
                .withResetBackoffAfter(Duration.ofDays(1))
                .withMaxRestarts(p.maxAttempts())
                .withLoggingEnabled(false));
    ActorRef<RunActor.Command> child = ctx.spawn(supervised, "run-" + r.runId() + "-" + grant.epoch());
    ctx.watchWith(child, new WorkerEntity.ChildStopped(r.runId(), child));
    children.put(r.runId(), child);
  }

  /** Tells the run's actor, if one runs here, to cancel attempt {@code epoch} and compensate. */
  void compensateCancelled(String runId, long epoch) {
    ActorRef<RunActor.Command> child = children.get(runId);
    if (child != null) {
      child.tell(new RunActor.CancelAndCompensate(epoch));
    }
  }

  /** Whether {@code child} is the run's actor this incarnation started; it is let go if so. */
  boolean childStopped(String runId, ActorRef<RunActor.Command> child) {
    if (!child.equals(children.get(runId))) {
      return false; // a child this incarnation did not start, or one it already let go
    }
    children.remove(runId);
    return true;
  }

  /**
   * Stops the run's actor, if one runs here, without a {@link WorkerEntity.ChildStopped} to
   * follow: the entity stopped it on purpose (unwatch drops one already queued).
   */
  private void stopChild(String runId) {
    ActorRef<RunActor.Command> child = children.remove(runId);
    if (child != null) {
      ctx.unwatch(child);
      ctx.stop(child);
    }
  }

  // readers

  /** A run's stream here: of an active run, or of a finished one still kept; null if none. */
  RunStream stream(Decision d, String runId, boolean active) {
    return active ? live(d, runId).stream() : finished.get(runId);
  }

  /** Answers a subscriber: from the run's stream here, else from what the state knows of it. */
  void subscribe(WorkerEntity.Subscribe s, RunRecord record, RunStream stream,
      WorkerEntity.Refused unknown) {
    Source<RunEvent, ?> source;
    if (stream != null) {
      source = stream.subscribe(s.afterSeq());
    } else if (record != null) {
      source = fromStorage(record, s.afterSeq());
    } else {
      s.replyTo().tell(unknown);
      return;
    }
    s.replyTo().tell(new WorkerEntity.StreamOpened(source.runWith(
        org.apache.pekko.stream.javadsl.StreamRefs.sourceRef(), services.materializer())));
  }

  /**
   * The stream of a finished run whose stream is gone here. A durable one is in the run history:
   * a stored gap notice sends the subscriber there, and the outcome (sequence number 0) follows
   * for a subscriber that cannot read the history. Else only the outcome is left.
   */
  private Source<RunEvent, ?> fromStorage(RunRecord r, long afterSeq) {
    List<RunEvent> outcome = StreamNotices.outcomeOnly(services.mapper(), r.toResult(worker),
        "the run's events are no longer kept; only its outcome is");
    if (!durable() || r.streamSeq() == 0) {
      return Source.from(outcome);
    }
    if (afterSeq >= r.streamSeq()) {
      return Source.empty();
    }
    return Source.from(List.of(
        StreamNotices.gap(services.mapper(), afterSeq + 1, r.streamSeq(), true), outcome.get(1)));
  }

  /**
   * {@code waiter} is answered when the active run ends; at once with a refusal when {@code
   * troupe.worker.max-result-waiters} callers wait already (counting only those whose ask may
   * still be waiting: a caller asks again every {@code troupe.call.result-recheck}).
   */
  void awaitEnd(String runId, ActorRef<WorkerEntity.RunReply> waiter) {
    int max = services.settings().maxResultWaiters();
    if (waiterCount >= max) {
      dropExpiredWaiters();
    }
    if (waiterCount >= max) {
      waiter.tell(new WorkerEntity.Refused(WorkerEntity.Refused.Reason.OVERLOADED, waiterCount
          + " callers wait for"
          + " results of worker '" + worker + "' already (troupe.worker.max-result-waiters):"
          + " read the run later"));
      return;
    }
    long expires = System.nanoTime() + services.settings().resultRecheck().toNanos();
    waiters.computeIfAbsent(runId, k -> new ArrayList<>()).add(new Waiter(waiter, expires));
    waiterCount++;
  }

  private void dropExpiredWaiters() {
    long now = System.nanoTime();
    waiters.values().forEach(ws -> ws.removeIf(w -> now - w.expires() > 0));
    waiters.values().removeIf(List::isEmpty);
    waiterCount = waiters.values().stream().mapToInt(List::size).sum();
  }

  /**
   * The entity restarts after a write of which nothing was written, keeping its runs: what the
   * failed decision made here without a run actor to show for it goes (the live side of runs it
   * accepted, queued or started, node slots it took; the streams of queued runs end, for their
   * subscribers to resume); the runs executing, their streams and waiters stay.
   */
  void rollBack(String reason) {
    live.values().removeIf(r -> !children.containsKey(r.runId()) && abandon(r, reason));
    // a child's stop notice stashed during the failed write is lost with the restart: watched
    // anew, a child that stopped meanwhile is reported again
    children.forEach((runId, child) -> {
      ctx.unwatch(child);
      ctx.watchWith(child, new WorkerEntity.ChildStopped(runId, child));
    });
    int taken = slotHolders.size();
    slotHolders.removeIf(runId -> !children.containsKey(runId));
    services.slots().release(worker, taken - slotHolders.size());
  }

  /** Ends the run's stream here for its subscribers to resume elsewhere. True, for removeIf. */
  private boolean abandon(LiveRun r, String reason) {
    r.cancelAttempt(reason);
    // out of the index first: a subscriber told to resume must not find this stream again
    services.streams().remove(r.runId());
    r.stream().abandon("run stream ended: " + reason);
    return true;
  }

  /**
   * The entity stops or restarts (this object survives a restart): its children stop, so do their
   * attempts; streams end for their subscribers to resume elsewhere, waiters are told; after the
   * restart's recovery, executing runs are resumed again.
   */
  void letGo(String reason) {
    live.values().forEach(r -> abandon(r, reason));
    Set.copyOf(children.keySet()).forEach(this::stopChild); // a restart keeps them (FailedWrites)
    finished.keySet().forEach(services.streams()::remove);
    waiters.values().forEach(ws -> ws.forEach(w -> w.replyTo().tell(
        new WorkerEntity.Refused(WorkerEntity.Refused.Reason.UNAVAILABLE,
            "run stream ended: " + reason))));
    waiters.clear();
    waiterCount = 0;
    live.clear();
    finished.clear();
    services.slots().release(worker, slotHolders.size());
    slotHolders.clear();
  }
}
