package dev.troupe.examples.orders;

import dev.troupe.api.PermanentFailure;
import dev.troupe.api.Required;
import dev.troupe.api.WorkerModule;
import dev.troupe.api.WorkerRegistrar;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.Positive;
import jakarta.validation.constraints.PositiveOrZero;
import java.util.List;

/**
 * {@code validate-order}: validates an order and computes its total. The payload is the order,
 * bound to {@link Order} and checked by its Bean Validation constraints (hibernate-validator is
 * on the examples' class path): a missing required field, a value of the wrong type or a broken
 * constraint fails the run permanently, naming each field by its JSON path ({@code
 * payload.items[1].quantity: must be greater than 0}). The business rule, a given total within
 * 0.01 of the computed one, fails it permanently with the label {@code business-rule}. A valid
 * order's result is {@code {"validatedOrder", "calculatedTotal", "itemCount",
 * "validationStatus": "passed"}}.
 */
public final class ValidateOrder implements WorkerModule {
  record OrderItem(@Required @NotBlank String productId, @Required @Positive int quantity,
      @Required @PositiveOrZero double price) {}

  record Order(@Required @NotBlank String orderId, @Required @NotBlank String customerId,
      @Required @NotEmpty @Valid List<OrderItem> items, Double total) {}

  record Validated(Order validatedOrder, double calculatedTotal, int itemCount,
      String validationStatus) {}

  @Override
  public void install(WorkerRegistrar troupe) {
    troupe.job("validate-order", Order.class, (order, ctx) -> {
      double total = order.items().stream().mapToDouble(i -> i.price() * i.quantity()).sum();
      if (order.total() != null && Math.abs(order.total() - total) > 0.01) {
        throw PermanentFailure.coded("business-rule", "Order total doesn't match item prices");
      }
      return new Validated(order, total, order.items().size(), "passed");
    });
  }
}
