package dev.troupe.node.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The per-entity load gauges of a node: there while the entity lives here, gone after. */
class TroupeMetricsTest {

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
