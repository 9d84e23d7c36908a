package dev.troupe.node.entity;

import dev.troupe.node.placement.RegisteredWorkers;
import java.time.Duration;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;

/**
 * Whether a stray worker entity, one with a journal recovered on a node without its worker, is to
 * passivate: when no member of the cluster has announced its worker ({@link RegisteredWorkers})
 * for a continuous {@code troupe.worker.stray-grace}, looked at every {@code
 * troupe.worker.stray-check}. Passivated through its shard, remember-entities forgets it, so that
 * a worker that no node has any more (a definition deleted in a new release) does not keep its
 * entities started at every restart and rebalance. Nothing of it is lost: its runs wait in the
 * journal, and the next node that registers the worker starts the entity again ({@code
 * EntityClient.wake}), on a node with the worker.
 *
 * <p>The grace starts again at every sign of the worker: this node's copy of the announcements
 * naming it, a call (only a node with the worker calls it) and a wake (a node registering the
 * worker wakes its entities as it announces it, before its announcement may have spread here). A
 * wake that arrives after the decision finds the entity passivating or forgotten, and starts it
 * again. The decision itself asks a majority of the members, and is dropped if a sign arrived
 * while it asked. Used by the entity's {@link EntityFront} only, on its thread.
 */
final class StrayCheck {
  private static final String TIMER = "stray-check";

  private final String entityId;
  private final String worker;
  private final EntityServices services;
  /** The announcements, once the entity is a stray (a node of a cluster only has them). */
  private RegisteredWorkers workers;
  private final ActorContext<WorkerEntity.Command> ctx;
  private final TimerScheduler<WorkerEntity.Command> timers;
  private boolean watching;
  private boolean asking;
  /** The signs of the worker seen while watching; each starts the grace again. */
  private long signs;
  /** When the grace last started ({@link System#nanoTime()}). */
  private long graceFrom;

  StrayCheck(String entityId, String worker, EntityServices services,
      ActorContext<WorkerEntity.Command> ctx, TimerScheduler<WorkerEntity.Command> timers) {
    this.entityId = entityId;
    this.worker = worker;
    this.services = services;
    this.ctx = ctx;
    this.timers = timers;
  }

  /** The entity is a stray: its grace starts, and the periodic check. */
  void watch() {
    if (!watching) {
      watching = true;
      workers = RegisteredWorkers.get(services.system());
      sign();
      timers.startTimerWithFixedDelay(TIMER, WorkerEntity.CheckStray.INSTANCE,
          services.settings().strayCheck());
    }
  }

  /** A sign that some member has the worker: the grace starts again. */
  void sign() {
    if (watching) {
      signs++;
      graceFrom = System.nanoTime();
    }
  }

  /**
   * The periodic check: the worker registered here since (the entity is no stray any more), or
   * announced by a member (a sign), or the grace over: a majority of the members is asked.
   */
  void check() {
    if (!watching || asking) {
      return;
    }
    if (services.registry().find(worker).isPresent()) {
      watching = false;
      timers.cancel(TIMER);
    } else if (workers.announcedAnywhere(worker)) {
      sign();
    } else if (System.nanoTime() - graceFrom >= services.settings().strayGrace().toNanos()) {
      asking = true;
      long asked = signs;
      Duration timeout = services.settings().askTimeout();
      ctx.pipeToSelf(workers.readAnnounced(worker, timeout), (announced, failure) ->
          new WorkerEntity.StrayChecked(asked, failure == null, Boolean.TRUE.equals(announced)));
    }
  }

  /**
   * The majority's answer: true when the entity is to passivate now, which is logged; the grace
   * starts again when the majority knows the worker, and a sign since the question or no answer
   * leaves the decision to the next check.
   */
  boolean passivates(WorkerEntity.StrayChecked c) {
    asking = false;
    if (!watching || c.signs() != signs || !c.answered()) {
      return false;
    }
    if (c.announced()) {
      sign();
      return false;
    }
    watching = false;
    timers.cancel(TIMER);
    ctx.getLog().warn("worker entity {} passivated on node {}: no member of the cluster has"
        + " announced worker '{}' for {} (troupe.worker.stray-grace), so it is no longer"
        + " remembered; its runs wait in the journal until a node registers the worker, which"
        + " starts the entity again", entityId, services.system().address(), worker,
        services.settings().strayGrace());
    return true;
  }
}
