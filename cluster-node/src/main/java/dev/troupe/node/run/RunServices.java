package dev.troupe.node.run;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.Config;
import dev.troupe.node.config.TroupeSettings;
import java.util.concurrent.Executor;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.Scheduler;
import scala.concurrent.ExecutionContextExecutor;

/**
 * What the run actors and attempt contexts of one node use of it: its settings, JSON mapper,
 * scheduler and the two executors handlers run on. Immutable and shared by every run of the
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

  public RunServices(ActorSystem<?> system, TroupeSettings settings, ObjectMapper mapper) {
    this.config = system.settings().config();
    this.settings = settings;
    this.mapper = mapper;
    this.scheduler = system.scheduler();
    this.blockingExecutor = BlockingHandlers.executor(system);
    this.handlerExecutor =
        system.dispatchers().lookup(DispatcherSelector.fromConfig("troupe.handler-dispatcher"));
  }
}
