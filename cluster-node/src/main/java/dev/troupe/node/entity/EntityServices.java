package dev.troupe.node.entity;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.troupe.node.config.TroupeSettings;
import dev.troupe.node.metrics.TroupeMetrics;
import dev.troupe.node.registry.WorkerRegistry;
import dev.troupe.node.run.BlockingHandlers;
import dev.troupe.node.run.NodeCalls;
import dev.troupe.node.run.NodeSlots;
import dev.troupe.node.run.RunServices;
import dev.troupe.node.stream.LocalStreams;
import dev.troupe.node.tracing.RunTracing;
import java.time.Clock;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.stream.Materializer;

/**
 * What the worker entities of one node use of it. Immutable: each piece of shared state has its
 * own owner (the registry, the slots, the local streams and entities, the metrics), reached
 * through its own narrow API (the payload bytes its entities hold: {@link NodePayloads}). {@code clock} is the time of the entities' decisions (the time of
 * their events, and when a scheduled run is due): the system's, or a test's.
 */
public record EntityServices(ActorSystem<?> system, TroupeSettings settings, ObjectMapper mapper,
    Materializer materializer, WorkerRegistry registry, NodeSlots slots, TroupeMetrics metrics,
    LocalStreams streams, LocalEntities entities, RunServices runs, Clock clock,
    NodePayloads payloads) {

  /**
   * The services of a node, with its own slots, streams and entities; its runs and entities ask
   * the node's facade through {@code node}, and its runs are traced by {@code tracing}.
   */
  public static EntityServices of(ActorSystem<?> system, TroupeSettings settings,
      ObjectMapper mapper, WorkerRegistry registry, TroupeMetrics metrics, NodeCalls node,
      RunTracing tracing) {
    NodePayloads payloads = new NodePayloads();
    metrics.activePayloadBytes(payloads.total());
    return new EntityServices(system, settings, mapper, Materializer.matFromSystem(system),
        registry, new NodeSlots(settings.maxExecutingRuns(), settings.workerLimits(),
            BlockingHandlers.threads(system),
            worker -> registry.find(worker).map(r -> r.blocking() != null).orElse(false)),
        metrics,
        new LocalStreams(), new LocalEntities(), new RunServices(system, settings, mapper, node,
            tracing),
        Clock.systemUTC(), payloads);
  }

  /** The services of a node without a facade: no child runs, no dependencies (entity tests). */
  public static EntityServices of(ActorSystem<?> system, TroupeSettings settings,
      ObjectMapper mapper, WorkerRegistry registry, TroupeMetrics metrics) {
    return of(system, settings, mapper, registry, metrics, NodeCalls.NONE, RunTracing.off());
  }

  /** These services with the entities' decisions timed by {@code c} (a test's clock). */
  public EntityServices withClock(Clock c) {
    return new EntityServices(system, settings, mapper, materializer, registry, slots, metrics,
        streams, entities, runs, c, payloads);
  }
}
