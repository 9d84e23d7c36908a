package dev.troupe.spring;

import dev.troupe.api.WorkerDefinition;
import dev.troupe.node.TroupeNode;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.management.HealthCheckSettings;
import org.apache.pekko.management.javadsl.CheckResult;
import org.apache.pekko.management.javadsl.HealthChecks;
import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.HealthIndicator;

/**
 * The node's readiness in Actuator ({@code /actuator/health}, component {@code troupe}): UP when
 * every readiness check of the node passes, the same checks as the runnable node's {@code /ready}
 * (by default: this node is an Up member of its cluster, and the journal's database answers a
 * query); DOWN with the first failure otherwise, or when the checks take longer than {@code
 * troupe.spring.health-timeout}. The details name the node's address, its member status and the
 * workers registered on it.
 */
public final class TroupeHealthIndicator implements HealthIndicator {
  private final TroupeNode node;
  private final HealthChecks checks;
  private final Duration timeout;

  public TroupeHealthIndicator(TroupeNode node, Duration timeout) {
    this.node = node;
    ExtendedActorSystem classic = (ExtendedActorSystem) Adapter.toClassic(node.system());
    this.checks = new HealthChecks(classic, HealthCheckSettings.create(
        classic.settings().config().getConfig("pekko.management.health-checks")));
    this.timeout = timeout;
  }

  @Override
  public Health health() {
    Member self = Cluster.get(node.system()).selfMember();
    Health.Builder health;
    try {
      CheckResult ready = checks.readyResult().toCompletableFuture()
          .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      health = ready.isSuccess() ? Health.up()
          : Health.down().withDetail("failure", ready.failure().orElse("not ready"));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      health = Health.down().withDetail("failure", "interrupted");
    } catch (Exception e) {
      health = Health.down().withDetail("failure", "readiness checks did not answer within "
          + timeout + " (troupe.spring.health-timeout): " + e);
    }
    return health.withDetail("address", self.address().toString())
        .withDetail("memberStatus", self.status().toString())
        .withDetail("workers", node.workers().stream().map(WorkerDefinition::name).toList())
        .build();
  }
}
