package dev.troupe.node.run;

import com.typesafe.config.Config;
import java.lang.reflect.Method;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.concurrent.ThreadFactory;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.DispatcherSelector;

/**
 * Where blocking handlers (BlockingWorker and typed jobs) run: a new virtual thread each when the
 * JVM has them (JDK 21 and later, found at run time: the build targets Java 17) and {@code
 * troupe.worker.virtual-threads} is {@code auto}; the bounded {@code troupe.blocking-dispatcher}
 * otherwise. Virtual threads need no bound of their own: the node's slots already cap the runs
 * executing at once; on the dispatcher, the node's slots count its threads too ({@link
 * NodeSlots}).
 */
public final class BlockingHandlers {
  private BlockingHandlers() {}

  /** {@code troupe.worker.virtual-threads}: {@code auto} (when the JVM has them) or {@code off}. */
  record Settings(boolean virtualThreads) {
    static Settings fromConfig(Config root) {
      String v = root.getString("troupe.worker.virtual-threads");
      return switch (v) {
        case "auto" -> new Settings(true);
        case "off" -> new Settings(false);
        default -> throw new IllegalArgumentException(
            "troupe.worker.virtual-threads must be auto or off, was '" + v + "'");
      };
    }
  }

  /** The executor of blocking handlers on {@code system}, per its settings and the JVM. */
  static Executor executor(ActorSystem<?> system) {
    Optional<ThreadFactory> virtual = virtual(system);
    system.log().info("blocking handlers run on {}",
        virtual.isPresent() ? "virtual threads" : "troupe.blocking-dispatcher");
    if (virtual.isPresent()) {
      ThreadFactory factory = virtual.get();
      return task -> factory.newThread(task).start();
    }
    return system.dispatchers().lookup(DispatcherSelector.fromConfig("troupe.blocking-dispatcher"));
  }

  /**
   * How many blocking handlers can run at once on {@code system}: the blocking dispatcher's
   * threads ({@code troupe.blocking-dispatcher.thread-pool-executor.fixed-pool-size}), or no
   * bound of their own on virtual threads.
   */
  public static int threads(ActorSystem<?> system) {
    return virtual(system).isPresent() ? Integer.MAX_VALUE : system.settings().config()
        .getInt("troupe.blocking-dispatcher.thread-pool-executor.fixed-pool-size");
  }

  private static Optional<ThreadFactory> virtual(ActorSystem<?> system) {
    boolean wanted = Settings.fromConfig(system.settings().config()).virtualThreads();
    return wanted ? virtualThreadFactory() : Optional.empty();
  }

  /**
   * A factory of virtual threads named {@code troupe-handler-<n>}, when this JVM has them: {@code
   * Thread.ofVirtual().name(prefix, 0).factory()}, called by reflection.
   */
  public static Optional<ThreadFactory> virtualThreadFactory() {
    try {
      Method ofVirtual = Thread.class.getMethod("ofVirtual");
      Object builder = ofVirtual.invoke(null);
      Class<?> builderType = ofVirtual.getReturnType();
      builder = builderType.getMethod("name", String.class, long.class)
          .invoke(builder, "troupe-handler-", 0L);
      return Optional.of((ThreadFactory) builderType.getMethod("factory").invoke(builder));
    } catch (ReflectiveOperationException | RuntimeException e) {
      return Optional.empty(); // before JDK 21 (or with preview-only virtual threads)
    }
  }
}
