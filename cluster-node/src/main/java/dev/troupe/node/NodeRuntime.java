package dev.troupe.node;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.Config;
import dev.troupe.persistence.TroupeJson;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.stream.Materializer;
import scala.concurrent.ExecutionContextExecutor;

/**
 * What the worker entities and run actors of one node share: the registered workers, the
 * settings, the node's slot cap, the handler executors and the shutdown flag.
 */
final class NodeRuntime {
  final ActorSystem<?> system;
  final Config config;
  final TroupeSettings settings;
  final ClusterSettings cluster;
  final ObjectMapper mapper;
  final Materializer materializer;
  final Map<String, Registration> registry = new ConcurrentHashMap<>();
  final NodeSlots slots;
  final TroupeMetrics metrics = new TroupeMetrics();
  /** Runs blocking handlers: virtual threads or the blocking dispatcher (BlockingHandlers). */
  final Executor blockingExecutor;
  final ExecutionContextExecutor handlerExecutor;
  /** Where the facade's stages complete, so callers' continuations never run on an entity. */
  final ExecutionContextExecutor callbackExecutor;
  /** Streams of the runs whose entities live on this node: local subscribers need no SourceRef. */
  final Map<String, RunSession> sessions = new ConcurrentHashMap<>();
  /** Worker entities (their fronts) alive on this node, for draining at shutdown. */
  final Set<ActorRef<WorkerEntity.Command>> localEntities = ConcurrentHashMap.newKeySet();
  volatile boolean shuttingDown;

  NodeRuntime(ActorSystem<?> system) {
    this.system = system;
    this.config = system.settings().config();
    this.settings = TroupeSettings.fromConfig(config);
    this.cluster = ClusterSettings.fromConfig(config);
    this.mapper = newMapper();
    this.materializer = Materializer.matFromSystem(system);
    this.slots = new NodeSlots(settings.maxExecutingRuns());
    this.blockingExecutor = BlockingHandlers.executor(system);
    this.handlerExecutor =
        system.dispatchers().lookup(DispatcherSelector.fromConfig("troupe.handler-dispatcher"));
    this.callbackExecutor =
        system.dispatchers().lookup(DispatcherSelector.fromConfig("troupe.callback-dispatcher"));
  }

  /** The JSON mapper of runs, results and events: ISO-8601 times ({@link TroupeJson}). */
  static ObjectMapper newMapper() {
    return TroupeJson.newMapper();
  }

  /** Now, to the millisecond (the precision of run timestamps). */
  static Instant now() {
    return Instant.now().truncatedTo(ChronoUnit.MILLIS);
  }
}
