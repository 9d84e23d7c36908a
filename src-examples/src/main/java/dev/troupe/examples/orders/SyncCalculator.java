package dev.troupe.examples.orders;

import dev.troupe.api.WorkerModule;
import dev.troupe.api.WorkerRegistrar;
import java.util.List;

/**
 * {@code sync-calculator}: a plain computation, {@code {"items": [{"price", "quantity"}]}} in,
 * {@code {"subtotal", "tax", "total"}} out with 8 % tax. Every typed job is written in this
 * synchronous style: Troupe runs it off the actors' threads, so it may compute or block.
 */
public final class SyncCalculator implements WorkerModule {
  record Item(double price, int quantity) {}

  record Cart(List<Item> items) {}

  record Totals(double subtotal, double tax, double total) {}

  @Override
  public void install(WorkerRegistrar troupe) {
    troupe.job("sync-calculator", Cart.class, (cart, ctx) -> {
      double subtotal = cart.items() == null ? 0
          : cart.items().stream().mapToDouble(i -> i.price() * i.quantity()).sum();
      double tax = subtotal * 0.08;
      return new Totals(subtotal, tax, subtotal + tax);
    });
  }
}
