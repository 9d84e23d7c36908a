package dev.troupe.examples.orders;

import dev.troupe.api.PermanentFailure;
import dev.troupe.api.Required;
import dev.troupe.api.WorkerModule;
import dev.troupe.api.WorkerRegistrar;
import java.util.List;

/**
 * {@code validate-order}: validates an order and computes its total. The payload is the order;
 * its shape is checked by binding it to {@link Order}: a missing required field or a value of the
 * wrong type fails the run permanently, naming the field ({@code payload.items[1].quantity:
 * expected an integer, got "two"}). The business rules (at least one item; a given total within
 * 0.01 of the computed one) fail it permanently with the label {@code business-rule}. A valid
 * order's result is {@code {"validatedOrder", "calculatedTotal", "itemCount",
 * "validationStatus": "passed"}}.
 */
public final class ValidateOrder implements WorkerModule {
  record OrderItem(@Required String productId, @Required int quantity, @Required double price) {}

  record Order(@Required String orderId, @Required String customerId,
      @Required List<OrderItem> items, Double total) {}

  record Validated(Order validatedOrder, double calculatedTotal, int itemCount,
      String validationStatus) {}

  @Override
  public void install(WorkerRegistrar troupe) {
    troupe.job("validate-order", Order.class, (order, ctx) -> {
      if (order.items().isEmpty()) {
        throw PermanentFailure.coded("business-rule", "Order must contain at least one item");
      }
      double total = order.items().stream().mapToDouble(i -> i.price() * i.quantity()).sum();
      if (order.total() != null && Math.abs(order.total() - total) > 0.01) {
        throw PermanentFailure.coded("business-rule", "Order total doesn't match item prices");
      }
      return new Validated(order, total, order.items().size(), "passed");
    });
  }
}
