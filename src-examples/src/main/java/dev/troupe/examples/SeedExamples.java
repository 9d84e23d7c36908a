package dev.troupe.examples;

import dev.troupe.api.WorkerModule;
import dev.troupe.api.WorkerRegistrar;
import dev.troupe.examples.checkpoints.ProcessRanges;
import dev.troupe.examples.inference.SentimentAnalysis;
import dev.troupe.examples.maintenance.CleanupTempFiles;
import dev.troupe.examples.orders.OrderRouting;
import dev.troupe.examples.orders.PaymentProcessor;
import dev.troupe.examples.orders.SyncCalculator;
import dev.troupe.examples.orders.ValidateOrder;
import dev.troupe.examples.parallel.ParallelDataProcessor;
import dev.troupe.examples.progress.EmitProgress;
import dev.troupe.examples.quickstart.WelcomeEmail;
import dev.troupe.examples.reports.GenerateReport;
import dev.troupe.examples.scraping.ScrapePage;
import dev.troupe.examples.tasks.ComplexTask;
import dev.troupe.examples.tasks.RiskyTask;
import dev.troupe.examples.uploads.ProcessUpload;
import dev.troupe.examples.video.Transcode4k;
import java.util.List;

/**
 * Every seed-scenario example that is a worker of its own (the demo workers, in {@code
 * dev.troupe.examples.workers}, cover the others), as one module. It is not discovered by the
 * demo node; install it where you want them: {@code new SeedExamples().install(troupe)}. The
 * table in the examples' README maps each to the scenario it ports.
 */
public final class SeedExamples implements WorkerModule {
  /** The modules installed, in order; add a new example here. */
  static final List<WorkerModule> MODULES = List.of(
      new WelcomeEmail(),
      new EmitProgress(),
      new ProcessUpload(),
      new CleanupTempFiles(),
      new GenerateReport(),
      new ValidateOrder(),
      new PaymentProcessor(),
      new ParallelDataProcessor(),
      new OrderRouting(),
      new SyncCalculator(),
      new ComplexTask(),
      new RiskyTask(),
      new SentimentAnalysis(),
      new Transcode4k(),
      new ScrapePage(),
      new ProcessRanges());

  @Override
  public void install(WorkerRegistrar registrar) {
    MODULES.forEach(module -> module.install(registrar));
  }
}
