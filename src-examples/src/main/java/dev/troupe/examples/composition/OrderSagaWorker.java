package dev.troupe.examples.composition;

import com.fasterxml.jackson.databind.JsonNode;
import dev.troupe.api.BlockingWorker;
import dev.troupe.api.Compensation;
import dev.troupe.api.PermanentFailure;
import dev.troupe.api.RetryPolicy;
import dev.troupe.api.WorkerConfig;
import dev.troupe.api.WorkerContext;
import java.time.Duration;
import java.util.List;

/**
 * {@code order-saga}, the multi-agent seed's order flow as a saga of durable steps: payload
 * {@code {"orderId": string, "failAt": null | "reserve-inventory" | "charge-payment" | "ship"}};
 * steps {@code validate}, {@code reserve-inventory} (compensation {@code release-inventory}),
 * {@code charge-payment} (compensation {@code refund-payment}), {@code ship}. Returns {@code
 * {"orderId": …, "status": "shipped"}}. With {@code failAt} set, that step fails permanently:
 * the run ends FAILED after the compensations of the steps completed before it ran, last first
 * (so {@code failAt: "ship"} refunds the payment, then releases the inventory). A missing
 * {@code orderId} or an unknown {@code failAt} fails at {@code validate}, naming the field.
 */
public final class OrderSagaWorker implements BlockingWorker {
  public static final String NAME = "order-saga";
  static final List<String> FAILABLE = List.of("reserve-inventory", "charge-payment", "ship");

  public static final WorkerConfig CONFIG = WorkerConfig.DEFAULT
      .withRetry(RetryPolicy.of(3, Duration.ofMillis(100), Duration.ofSeconds(2)))
      .withDescription("An order as a saga: reserve, charge, ship; compensated when a step fails");

  @Override
  public JsonNode run(WorkerContext ctx) {
    String orderId = ctx.step("validate", String.class, () -> validate(ctx.payload()));
    String failAt = ctx.payload().path("failAt").isTextual()
        ? ctx.payload().get("failAt").asText() : null;
    String reservation = ctx.step("reserve-inventory", String.class,
        () -> act(ctx, failAt, "reserve-inventory", "reservation-" + orderId),
        Compensation.of("release-inventory",
            r -> ctx.info("released inventory reservation {}", r)));
    ctx.step("charge-payment", String.class,
        () -> act(ctx, failAt, "charge-payment", "charge-" + orderId + "-" + reservation.length()),
        Compensation.of("refund-payment", c -> ctx.info("refunded payment {}", c)));
    ctx.step("ship", String.class, () -> act(ctx, failAt, "ship", "shipment-" + orderId));
    return ctx.newObject().put("orderId", orderId).put("status", "shipped");
  }

  /** The order id, once the payload is checked. */
  private static String validate(JsonNode payload) {
    JsonNode id = payload.path("orderId");
    if (!id.isTextual() || id.asText().isBlank()) {
      throw new PermanentFailure("payload.orderId: expected a non-empty string, got " + id);
    }
    JsonNode failAt = payload.path("failAt");
    if (!failAt.isMissingNode() && !failAt.isNull()
        && !(failAt.isTextual() && FAILABLE.contains(failAt.asText()))) {
      throw new PermanentFailure("payload.failAt: expected null or one of " + FAILABLE
          + ", got " + failAt);
    }
    return id.asText();
  }

  /** The simulated work of step {@code step}: fails permanently when the payload says so. */
  private static String act(WorkerContext ctx, String failAt, String step, String outcome) {
    if (step.equals(failAt)) {
      throw PermanentFailure.coded(step + "-failed", step + " failed (payload.failAt)");
    }
    ctx.info("{}: {}", step, outcome);
    return outcome;
  }
}
