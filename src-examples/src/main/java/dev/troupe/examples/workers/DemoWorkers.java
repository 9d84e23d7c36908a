package dev.troupe.examples.workers;

import dev.troupe.api.WorkerModule;
import dev.troupe.examples.composition.CompositionWorkers;
import dev.troupe.api.WorkerRegistrar;
import java.util.List;

/**
 * The demo node's workers, discovered through {@link java.util.ServiceLoader}: {@code echo},
 * {@code send-email}, {@code progress-reporter}, {@code slow-worker}, {@code flaky},
 * {@code batch-processor}, {@code stateful} and {@code checkpointed-batch}; and the composition
 * examples ({@link CompositionWorkers}: {@code fan-out}, {@code image-pipeline} and the workers
 * they call). Each is a {@link
 * WorkerModule} of its own whose class documents its contract; to add an example to the demo
 * node, add its module to {@link #MODULES}.
 */
public final class DemoWorkers implements WorkerModule {
  /** The modules the demo node installs, in order. */
  static final List<WorkerModule> MODULES = List.of(
      new EchoWorker(),
      new SendEmailWorker(),
      new ProgressReporterWorker(),
      new SlowWorker(),
      new FlakyWorker(),
      new BatchProcessorWorker(),
      new StatefulWorker(),
      new CheckpointedBatchWorker(),
      new CompositionWorkers());

  @Override
  public void install(WorkerRegistrar registrar) {
    MODULES.forEach(module -> module.install(registrar));
  }
}
