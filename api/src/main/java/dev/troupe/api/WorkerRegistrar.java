package dev.troupe.api;

/** Where worker definitions are registered: {@link Troupe} itself, or a {@link WorkerModule}. */
public interface WorkerRegistrar {
  /**
   * Registers an asynchronous worker on this node. Every node that may run the worker registers
   * it the same way.
   *
   * @throws InvalidArgumentException when the name breaks {@link WorkerNames#RULE}
   * @throws DuplicateWorkerException when the name is already registered
   */
  void register(String name, WorkerConfig config, Worker worker);

  /** Registers a blocking worker, run on Troupe's bounded blocking dispatcher. */
  void registerBlocking(String name, WorkerConfig config, BlockingWorker worker);
}
