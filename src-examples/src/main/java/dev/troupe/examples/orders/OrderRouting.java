package dev.troupe.examples.orders;

import dev.troupe.api.Required;
import dev.troupe.api.WorkerModule;
import dev.troupe.api.WorkerRegistrar;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * {@code order-routing}: routes an order by business rules, first match wins: a total of 1000 or
 * more is {@code high_value} (approval required), a {@code premium} or {@code vip} customer is
 * {@code premium_customer}, more than 10 items is {@code bulk_order}, anything else {@code
 * standard}. Payload {@code {"orderId", "items": [...], "calculatedTotal", "customerTier"?}}.
 */
public final class OrderRouting implements WorkerModule {
  record RoutingInput(@Required String orderId, @Required List<Object> items,
      @Required double calculatedTotal, String customerTier) {}

  record Route(String route, String priority, boolean approvalRequired,
      String fulfillmentCenter, String shippingMethod) {}

  record Routing(String orderId, Instant routingTimestamp, String route, String priority,
      boolean approvalRequired, String fulfillmentCenter, String shippingMethod,
      String estimatedProcessingTime) {}

  static final Route HIGH_VALUE =
      new Route("high_value", "high", true, "premium_warehouse", "express");
  static final Route PREMIUM =
      new Route("premium_customer", "high", false, "premium_warehouse", "expedited");
  static final Route BULK = new Route("bulk_order", "medium", false, "bulk_warehouse", "standard");
  static final Route STANDARD =
      new Route("standard", "normal", false, "standard_warehouse", "standard");

  @Override
  public void install(WorkerRegistrar troupe) {
    troupe.job("order-routing", RoutingInput.class, (in, ctx) -> {
      String tier = Objects.requireNonNullElse(in.customerTier(), "standard");
      Route r = in.calculatedTotal() >= 1000 ? HIGH_VALUE
          : List.of("premium", "vip").contains(tier) ? PREMIUM
          : in.items().size() > 10 ? BULK
          : STANDARD;
      return new Routing(in.orderId(), Instant.now(), r.route(), r.priority(),
          r.approvalRequired(), r.fulfillmentCenter(), r.shippingMethod(),
          r.approvalRequired() ? "24_hours" : "2_hours");
    });
  }
}
