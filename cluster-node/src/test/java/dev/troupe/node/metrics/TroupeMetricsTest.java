package dev.troupe.node.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

/**
 * The node's meters: the per-entity load gauges (there while the entity lives here, gone after),
 * the JVM's meters on the node's own registry only, and an application's registry bound to it.
 */
class TroupeMetricsTest {

  @Test
  void theJvmsMetersReachTheNodesScrapeButNotABoundRegistry() {
    // given
    TroupeMetrics metrics = new TroupeMetrics();
    SimpleMeterRegistry application = new SimpleMeterRegistry();
    metrics.bindTo(application);
    // when
    metrics.bindJvm();
    metrics.attemptStarted("echo");
    // then
    try {
      assertThat(metrics.scrape()).contains("jvm_memory_used_bytes{", "jvm_threads_live_threads ",
          "jvm_classes_loaded_classes ", "system_cpu_count ", "process_uptime_seconds ",
          "troupe_runs_started_total{worker=\"echo\"} 1.0");
      assertThat(application.find("jvm.memory.used").meters()).isEmpty();
      assertThat(application.find("troupe_runs_started").counter().count()).isEqualTo(1.0);
    } finally {
      metrics.close();
    }
  }

  @Test
  void aBoundRegistryLosesAnEntitysGaugesWithTheNode() {
    // given
    TroupeMetrics metrics = new TroupeMetrics();
    metrics.load("echo", "echo#1", 3, 7);
    SimpleMeterRegistry application = new SimpleMeterRegistry();
    metrics.bindTo(application);
    assertThat(application.find("troupe_runs_queued").gauge().value()).isEqualTo(7.0);
    // when
    metrics.forget("echo#1");
    // then
    assertThat(application.find("troupe_runs_queued").gauges()).isEmpty();
  }

  @Test
  void anEntitysGaugesLeaveWhenItStopsHereAndComeBackWhenItReturns() {
    // given an entity that reported its load on this node
    TroupeMetrics metrics = new TroupeMetrics();
    metrics.load("echo", "echo#1", 3, 7);
    assertThat(metrics.scrape()).contains("troupe_runs_running{entity=\"echo#1\",worker=\"echo\"} 3.0")
        .contains("troupe_runs_queued{entity=\"echo#1\",worker=\"echo\"} 7.0");

    // when it stops on this node (it moved)
    metrics.forget("echo#1");

    // then this node no longer reports it, so a sum over nodes counts it once
    assertThat(metrics.scrape()).doesNotContain("entity=\"echo#1\"");

    // and when it comes back, its gauges do too, with the new values
    metrics.load("echo", "echo#1", 1, 0);
    assertThat(metrics.scrape()).contains("troupe_runs_running{entity=\"echo#1\",worker=\"echo\"} 1.0");
  }
}
