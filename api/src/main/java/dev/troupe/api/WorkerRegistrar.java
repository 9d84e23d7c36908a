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

  /**
   * Registers a typed job with the default configuration: {@code payloadType} in, any object out.
   * It runs as a blocking worker (on virtual threads when the JVM has them); see {@link
   * JobHandler} for its results and failures.
   *
   * <pre>{@code
   * record Email(String to, String subject) {}
   * registrar.job("send-email", Email.class, (email, ctx) -> new Sent("sent", email.to()));
   * }</pre>
   *
   * @throws InvalidArgumentException when the name breaks {@link WorkerNames#RULE}
   * @throws DuplicateWorkerException when the name is already registered
   */
  default <P> void job(String name, Class<P> payloadType, JobHandler<P> handler) {
    job(name, payloadType, WorkerConfig.DEFAULT, handler);
  }

  /** Registers a typed job with {@code config}. */
  default <P> void job(String name, Class<P> payloadType, WorkerConfig config,
      JobHandler<P> handler) {
    registerBlocking(name, config, Jobs.blocking(payloadType, handler));
  }

  /**
   * Registers a typed asynchronous job with the default configuration, for handlers that do their
   * own non-blocking I/O; see {@link AsyncJobHandler}.
   */
  default <P> void asyncJob(String name, Class<P> payloadType, AsyncJobHandler<P> handler) {
    asyncJob(name, payloadType, WorkerConfig.DEFAULT, handler);
  }

  /** Registers a typed asynchronous job with {@code config}. */
  default <P> void asyncJob(String name, Class<P> payloadType, WorkerConfig config,
      AsyncJobHandler<P> handler) {
    register(name, config, Jobs.async(payloadType, handler));
  }

  /**
   * Declares a schedule in code: when the node starts (or at once, on a started node) it is
   * created, or replaced when its definition differs, through {@link Schedules#put}. A declared
   * schedule that a later version no longer declares is not deleted: delete it through {@link
   * Schedules#delete} or the HTTP API.
   *
   * @throws InvalidArgumentException when its cron expression does not parse
   */
  void schedule(Schedule schedule);

  /**
   * Registers a batch worker with the default configuration: Troupe runs its loop, with a
   * durable checkpoint after every batch and resumption after the last one (see {@link
   * BatchWorker}).
   *
   * @throws InvalidArgumentException when the name breaks {@link WorkerNames#RULE}
   * @throws DuplicateWorkerException when the name is already registered
   */
  default <P> void batch(String name, Class<P> payloadType, BatchWorker<P, ?, ?, ?> worker) {
    batch(name, payloadType, WorkerConfig.DEFAULT, worker);
  }

  /**
   * Registers a batch worker with {@code config}. Its runs process their batches one after the
   * other: a run whose {@link BatchWorker#parallelism} is above 0 fails, its batches' child
   * definition not being registered (use the method below).
   */
  default <P> void batch(String name, Class<P> payloadType, WorkerConfig config,
      BatchWorker<P, ?, ?, ?> worker) {
    registerBlocking(name, config, Batches.blocking(payloadType, worker));
  }

  /**
   * Registers a batch worker whose runs may process their batches as child runs spread over the
   * cluster (those for which {@link BatchWorker#parallelism} is above 0), and the definition of
   * those children, {@link Batches#partName} ({@code <name>-part}), with {@code partConfig}:
   * each child processes one batch, retried per {@code partConfig}'s policy, and its {@link
   * WorkerConfig#maxConcurrent()} bounds the batches executing at once over all runs of {@code
   * name} (per partition of the part's definition), while each run's parallelism bounds its own.
   *
   * @throws InvalidArgumentException when the name breaks {@link WorkerNames#RULE}, or is longer
   *     than 58 characters (its part's name would break it)
   * @throws DuplicateWorkerException when the name or its part's name is already registered
   */
  default <P> void batch(String name, Class<P> payloadType, WorkerConfig config,
      BatchWorker<P, ?, ?, ?> worker, WorkerConfig partConfig) {
    String part = Batches.partName(name);
    registerBlocking(name, config, Batches.blocking(payloadType, worker));
    registerBlocking(part, partConfig, Batches.part(worker));
  }
}
