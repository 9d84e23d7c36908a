package dev.troupe.examples.composition;

import dev.troupe.api.WorkerModule;
import dev.troupe.api.WorkerRegistrar;

/**
 * The examples of work made of parts: {@code fan-out} (child runs, fan-in) and the {@code
 * always-fails} child it uses; {@code image-pipeline} (a state machine) and its tasks' workers
 * {@code resize-image} and {@code apply-filters}; {@code order-saga} (durable steps with
 * compensations) and {@code range-batch} (a batch worker, whose batches may run as child runs
 * of {@code range-batch-part}, which Troupe registers with it). Each worker's class documents its
 * contract.
 */
public final class CompositionWorkers implements WorkerModule {
  @Override
  public void install(WorkerRegistrar registrar) {
    registrar.register(FanOutWorker.NAME, FanOutWorker.CONFIG, new FanOutWorker());
    registrar.register(AlwaysFailsWorker.NAME, AlwaysFailsWorker.CONFIG, new AlwaysFailsWorker());
    registrar.register(ImagePipelineWorker.NAME, ImagePipelineWorker.CONFIG,
        new ImagePipelineWorker());
    registrar.register(ResizeImageWorker.NAME, ResizeImageWorker.CONFIG, new ResizeImageWorker());
    registrar.register(ApplyFiltersWorker.NAME, ApplyFiltersWorker.CONFIG,
        new ApplyFiltersWorker());
    registrar.registerBlocking(OrderSagaWorker.NAME, OrderSagaWorker.CONFIG, new OrderSagaWorker());
    registrar.batch(RangeBatchWorker.NAME, RangeBatchWorker.Payload.class, RangeBatchWorker.CONFIG,
        new RangeBatchWorker(), RangeBatchWorker.PART_CONFIG);
  }
}
