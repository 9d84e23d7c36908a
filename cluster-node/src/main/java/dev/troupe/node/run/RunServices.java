package dev.troupe.node.run;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.Config;
import dev.troupe.node.config.CompositionSettings;
import dev.troupe.node.config.TroupeSettings;
import dev.troupe.node.tracing.RunTracing;
import java.util.concurrent.Executor;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.Scheduler;
import scala.concurrent.ExecutionContextExecutor;

/**
 * What the run actors and attempt contexts of one node use of it: its settings, JSON mapper,
 * scheduler, the two executors handlers run on, the facade's call for child runs and the tracing of runs. Immutable and shared by every run of the
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
  final RunTracing tracing;

  public RunServices(ActorSystem<?> system, TroupeSettings settings, ObjectMapper mapper,
      NodeCalls node, RunTracing tracing) {
    this.config = system.settings().config();
    this.settings = settings;
    this.mapper = mapper;
    this.scheduler = system.scheduler();
    this.blockingExecutor = BlockingHandlers.executor(system);
    this.handlerExecutor =
        system.dispatchers().lookup(DispatcherSelector.fromConfig("troupe.handler-dispatcher"));
    this.node = node;
    this.composition = CompositionSettings.fromConfig(config);
    this.tracing = tracing;
  }

  /** The node facade's calls: child runs, outcomes of runs. */
  public NodeCalls node() {
    return node;
  }

  /** The spans of the node's calls and attempts ({@link RunTracing#off()} when not traced). */
  public RunTracing tracing() {
    return tracing;
  }
}
