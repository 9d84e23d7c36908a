package dev.troupe.node.run;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.Config;
import dev.troupe.node.config.CompositionSettings;
import dev.troupe.node.config.TroupeSettings;
import java.util.concurrent.Executor;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.Scheduler;
import scala.concurrent.ExecutionContextExecutor;

/**
 * What the run actors and attempt contexts of one node use of it: its settings, JSON mapper,
 * scheduler, the two executors handlers run on and the facade's call for child runs. Immutable and shared by every run of the
 * node; it holds no state of its own.
 */
public final class RunServices {
  final Config config;
  final TroupeSettings settings;
  final ObjectMapper mapper;
  final Scheduler scheduler;
  /** Blocking handlers: virtual threads or the bounded blocking dispatcher ({@link BlockingHandlers}). */
  final Executor blockingExecutor;
  /** Async handlers, their continuations and cancel callbacks: {@code troupe.handler-dispatcher}. */
  final ExecutionContextExecutor handlerExecutor;
  final NodeCalls node;
  final CompositionSettings composition;

  public RunServices(ActorSystem<?> system, TroupeSettings settings, ObjectMapper mapper,
      NodeCalls node) {
    this.config = system.settings().config();
    this.settings = settings;
    this.mapper = mapper;
    this.scheduler = system.scheduler();
    this.blockingExecutor = BlockingHandlers.executor(system);
    this.handlerExecutor =
        system.dispatchers().lookup(DispatcherSelector.fromConfig("troupe.handler-dispatcher"));
    this.node = node;
    this.composition = CompositionSettings.fromConfig(config);
  }

  /** The node facade's calls: child runs, outcomes of runs. */
  public NodeCalls node() {
    return node;
  }
}
