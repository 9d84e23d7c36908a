package dev.troupe.examples.orders;

import static org.assertj.core.api.Assertions.assertThat;

import dev.troupe.api.RunStatus;
import dev.troupe.examples.testing.InstalledJobs;
import dev.troupe.testkit.TestOutcome;
import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class OrderRoutingTest {
  private final InstalledJobs jobs = InstalledJobs.of(new OrderRouting());

  private TestOutcome route(double total, int items, String tier) {
    Map<String, Object> order = new HashMap<>(Map.of("orderId", "o-7",
        "items", Collections.nCopies(items, "sku"), "calculatedTotal", total));
    if (tier != null) {
      order.put("customerTier", tier);
    }
    return jobs.run("order-routing", jobs.context("order-routing").payload(order).build());
  }

  @Test
  void theFirstMatchingRuleDecidesTheRoute() {
    // when
    TestOutcome highValue = route(1000, 20, "vip");
    TestOutcome premium = route(999, 20, "vip");
    TestOutcome bulk = route(10, 11, null);
    TestOutcome standard = route(10, 10, "standard");
    // then
    assertThat(highValue.result().path("route").asText()).isEqualTo("high_value");
    assertThat(premium.result().path("route").asText()).isEqualTo("premium_customer");
    assertThat(bulk.result().path("route").asText()).isEqualTo("bulk_order");
    assertThat(standard.result().path("route").asText()).isEqualTo("standard");
  }

  @Test
  void anOrderNeedingApprovalTakesADay() {
    // when
    TestOutcome outcome = route(5000, 1, null);
    // then
    assertThat(outcome.status()).isEqualTo(RunStatus.SUCCEEDED);
    assertThat(outcome.result().path("orderId").asText()).isEqualTo("o-7");
    assertThat(outcome.result().path("approvalRequired").asBoolean()).isTrue();
    assertThat(outcome.result().path("fulfillmentCenter").asText())
        .isEqualTo("premium_warehouse");
    assertThat(outcome.result().path("estimatedProcessingTime").asText()).isEqualTo("24_hours");
    assertThat(route(1, 1, null).result().path("estimatedProcessingTime").asText())
        .isEqualTo("2_hours");
    assertThat(outcome.result().path("routingTimestamp").asText()).isNotBlank();
  }
}
