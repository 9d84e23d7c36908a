package dev.troupe.spring;

import com.typesafe.config.Config;
import dev.troupe.node.TroupeNode;
import dev.troupe.node.config.ClusterSettings;
import dev.troupe.node.http.HttpServer;
import dev.troupe.node.http.HttpSettings;
import io.opentelemetry.api.OpenTelemetry;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.management.cluster.bootstrap.ClusterBootstrap;
import org.apache.pekko.management.javadsl.PekkoManagement;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.context.SmartLifecycle;

/**
 * The Troupe node of a Spring application and its actor system: started when the bean is made,
 * so that the {@link dev.troupe.api.Troupe} bean is usable as soon as it is injected, and stopped
 * when the context closes.
 *
 * <p>The stop is a {@link SmartLifecycle} stop in a late phase ({@link #PHASE}): it runs after an
 * embedded web server has stopped taking requests, and before any singleton is destroyed, so
 * that running runs drain (up to {@code troupe.shutdown.drain-timeout}) while the beans their
 * handlers use still work. It waits for the actor system's end, at most {@code
 * troupe.spring.stop-timeout}.
 */
public final class TroupeRuntime implements SmartLifecycle, DisposableBean {
  /**
   * Below the phases of Spring Boot's web server (its graceful shutdown and its stop), so the
   * node stops after them.
   */
  public static final int PHASE = SmartLifecycle.DEFAULT_PHASE - 4096;

  private static final Logger log = LoggerFactory.getLogger(TroupeRuntime.class);

  private final ActorSystem<Void> system;
  private final TroupeNode node;
  private final SpringSettings settings;
  private volatile boolean running;

  private TroupeRuntime(ActorSystem<Void> system, TroupeNode node, SpringSettings settings) {
    this.system = system;
    this.node = node;
    this.settings = settings;
  }

  /**
   * Creates the actor system from {@code config} (made by {@link SpringTroupeConfig}), starts
   * Troupe in it, then, as the runnable node does, Pekko Management and Cluster Bootstrap when
   * {@code troupe.cluster.bootstrap} is on, and the node's HTTP API when {@code
   * troupe.http.enabled} is. WorkerModules found by ServiceLoader are installed when {@code
   * troupe.discover-modules} is on; the application's beans are registered afterwards
   * ({@link TroupeWorkers}).
   *
   * @throws RuntimeException when any of it fails; the actor system is terminated then
   */
  public static TroupeRuntime start(Config config) {
    return start(config, null);
  }

  /**
   * Starts as {@link #start(Config)} does, the node's runs traced by {@code openTelemetry} (the
   * application's, which the application shuts down), or as {@code troupe.tracing} says when it
   * is null.
   *
   * @throws RuntimeException when any of it fails; the actor system is terminated then
   */
  public static TroupeRuntime start(Config config, OpenTelemetry openTelemetry) {
    SpringSettings settings = SpringSettings.fromConfig(config);
    ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), settings.systemName(), config);
    try {
      TroupeNode node = TroupeNode.start(system, openTelemetry);
      if (ClusterSettings.fromConfig(config).bootstrap()) {
        PekkoManagement.get(system).start().toCompletableFuture().join();
        ClusterBootstrap.get(system).start();
      }
      HttpSettings http = HttpSettings.fromConfig(config);
      if (http.enabled()) {
        HttpServer.start(node, http).toCompletableFuture().join();
      }
      TroupeRuntime runtime = new TroupeRuntime(system, node, settings);
      runtime.running = true;
      return runtime;
    } catch (RuntimeException e) {
      system.terminate();
      throw e;
    }
  }

  /** The node: the application's {@link dev.troupe.api.Troupe}. */
  public TroupeNode node() {
    return node;
  }

  /** The settings of the starter this node was started with. */
  public SpringSettings settings() {
    return settings;
  }

  @Override
  public void start() {
    // started when made: the Troupe bean is usable from other beans' initialisation on
  }

  @Override
  public void stop() {
    if (!running) {
      return;
    }
    running = false;
    node.shutdown();
    try {
      system.getWhenTerminated().toCompletableFuture()
          .get(settings.stopTimeout().toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      log.warn("the Troupe node did not stop within troupe.spring.stop-timeout ({}); the context"
          + " goes on closing", settings.stopTimeout());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (Exception e) {
      log.warn("stopping the Troupe node failed", e);
    }
  }

  @Override
  public boolean isRunning() {
    return running;
  }

  @Override
  public int getPhase() {
    return PHASE;
  }

  /** A context that never started its lifecycle (a failed refresh) still stops the node. */
  @Override
  public void destroy() {
    stop();
  }
}
