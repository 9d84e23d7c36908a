package dev.troupe.examples.workers;

import dev.troupe.api.WorkerModule;
import dev.troupe.api.WorkerRegistrar;

/**
 * The demo workers ported from the seed worker systems, discovered through {@link
 * java.util.ServiceLoader}: {@code echo}, {@code send-email}, {@code progress-reporter},
 * {@code slow-worker}, {@code flaky}, {@code batch-processor}, {@code stateful} and
 * {@code checkpointed-batch}. Each worker's class documents its contract.
 */
public final class DemoWorkers implements WorkerModule {
  @Override
  public void install(WorkerRegistrar registrar) {
    registrar.register(EchoWorker.NAME, EchoWorker.CONFIG, new EchoWorker());
    registrar.register(SendEmailWorker.NAME, SendEmailWorker.CONFIG, new SendEmailWorker());
    registrar.register(ProgressReporterWorker.NAME, ProgressReporterWorker.CONFIG,
        new ProgressReporterWorker());
    registrar.registerBlocking(SlowWorker.NAME, SlowWorker.CONFIG, new SlowWorker());
    registrar.register(FlakyWorker.NAME, FlakyWorker.CONFIG, new FlakyWorker());
    registrar.register(BatchProcessorWorker.NAME, BatchProcessorWorker.CONFIG,
        new BatchProcessorWorker());
    registrar.register(StatefulWorker.NAME, StatefulWorker.CONFIG, new StatefulWorker());
    registrar.registerBlocking(CheckpointedBatchWorker.NAME, CheckpointedBatchWorker.CONFIG,
        new CheckpointedBatchWorker());
    new dev.troupe.examples.composition.CompositionWorkers().install(registrar);
  }
}
