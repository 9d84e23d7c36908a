package dev.troupe.examples.composition;

import dev.troupe.api.WorkerModule;
import dev.troupe.api.WorkerRegistrar;

/**
 * The examples of work made of parts, discovered through {@link java.util.ServiceLoader} beside
 * the demo workers: {@code order-saga} (durable steps with compensations) and {@code range-batch}
 * (a batch worker). Each worker's class documents its contract.
 */
public final class CompositionWorkers implements WorkerModule {
  @Override
  public void install(WorkerRegistrar registrar) {
    registrar.registerBlocking(OrderSagaWorker.NAME, OrderSagaWorker.CONFIG, new OrderSagaWorker());
    registrar.batch(RangeBatchWorker.NAME, RangeBatchWorker.Payload.class, RangeBatchWorker.CONFIG,
        new RangeBatchWorker());
  }
}
