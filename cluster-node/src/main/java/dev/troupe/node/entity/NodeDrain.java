package dev.troupe.node.entity;

import dev.troupe.node.config.TroupeSettings;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.Done;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A node's orderly stop, hooked into CoordinatedShutdown: it stops accepting calls when the
 * service unbinds, then drains its worker entities (service-requests-done).
 */
public final class NodeDrain {
  private static final Logger log = LoggerFactory.getLogger(NodeDrain.class);

  private final EntityServices services;

  private NodeDrain(EntityServices services) {
    this.services = services;
  }

  /**
   * Adds the node's tasks to its CoordinatedShutdown; warns when the drain and an ask may outlast
   * the phase that waits for the drain, and when a hand-off's grace may outlast sharding's
   * hand-off timeout or the callers waiting for the moving entity.
   */
  public static void hook(EntityServices services) {
    NodeDrain drain = new NodeDrain(services);
    CoordinatedShutdown cs = CoordinatedShutdown.get(services.system());
    cs.addTask(CoordinatedShutdown.PhaseServiceUnbind(), "troupe-stop-accepting", () -> {
      services.entities().stopAccepting();
      return CompletableFuture.completedFuture(Done.getInstance());
    });
    cs.addTask(CoordinatedShutdown.PhaseServiceRequestsDone(), "troupe-drain", drain::drain);
    TroupeSettings settings = services.settings();
    Duration phase = services.system().settings().config()
        .getDuration("pekko.coordinated-shutdown.phases.service-requests-done.timeout");
    if (phase.compareTo(settings.drainTimeout().plus(settings.askTimeout())) < 0) {
      log.warn("troupe.shutdown.drain-timeout ({}) plus troupe.ask-timeout ({}) exceed the"
              + " service-requests-done phase timeout ({}): raise"
              + " pekko.coordinated-shutdown.phases.service-requests-done.timeout",
          settings.drainTimeout(), settings.askTimeout(), phase);
    }
    Duration handOff = services.system().settings().config()
        .getDuration("pekko.cluster.sharding.handoff-timeout");
    if (settings.handoffGrace().compareTo(handOff.minusSeconds(5)) >= 0
        || settings.handoffGrace().compareTo(settings.askTimeout()) >= 0) {
      log.warn("troupe.worker.handoff-grace ({}) should be below"
              + " pekko.cluster.sharding.handoff-timeout less 5 s ({}), after which sharding stops"
              + " a moving entity by force and its running attempts are lost, and below"
              + " troupe.ask-timeout ({}), which calls to a moving entity wait for",
          settings.handoffGrace(), handOff.minusSeconds(5), settings.askTimeout());
    }
  }

  /**
   * Lets the runs executing on this node finish up to the drain timeout, then queues them again
   * (they go on on another node, or at the next start) or cancels them, per {@code
   * troupe.shutdown.after-drain}. A node that was downed does neither: the survivors already own
   * its entities and re-dispatch its runs, so anything it wrote now (an outcome, a cancel) would
   * race with their new owner.
   */
  private CompletionStage<Done> drain() {
    List<ActorRef<WorkerEntity.Command>> entities = services.entities().snapshot();
    if (downed(services.system())) {
      log.warn("this node was downed: its {} worker entities stop without draining; the other"
          + " nodes take their runs over", entities.size());
      return CompletableFuture.completedFuture(Done.getInstance());
    }
    Duration drainTimeout = services.settings().drainTimeout();
    List<CompletableFuture<Done>> all = new ArrayList<>();
    for (ActorRef<WorkerEntity.Command> e : entities) {
      all.add(AskPattern.<WorkerEntity.Command, Done>ask(e, WorkerEntity.Drain::new, drainTimeout,
              services.system().scheduler())
          .exceptionallyCompose(t -> AskPattern.ask(e, r -> afterDrain(drainTimeout, r),
              services.settings().askTimeout(), services.system().scheduler()))
          .toCompletableFuture());
    }
    log.info("draining {} worker entities for up to {}", all.size(), drainTimeout);
    return CompletableFuture.allOf(all.toArray(CompletableFuture[]::new))
        .handle((v, t) -> Done.getInstance());
  }

  /**
   * Whether the node shuts down because it was downed: the survivors own its entities now, and
   * anything written here would race with them.
   */
  static boolean downed(ActorSystem<?> system) {
    return CoordinatedShutdown.get(system).getShutdownReason()
        .filter(CoordinatedShutdown.clusterDowningReason()::equals).isPresent();
  }

  /** What becomes of runs still executing after the drain: {@code troupe.shutdown.after-drain}. */
  private WorkerEntity.Command afterDrain(Duration drainTimeout, ActorRef<Done> replyTo) {
    String reason = "the node shut down before the run finished (drain timeout " + drainTimeout + ")";
    return services.settings().requeueAfterDrain()
        ? new WorkerEntity.RequeueExecuting("was stopped: " + reason, replyTo)
        : new WorkerEntity.CancelExecuting(reason, replyTo);
  }
}
