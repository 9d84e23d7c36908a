package dev.troupe.examples.testing;

import com.fasterxml.jackson.databind.JsonNode;
import dev.troupe.api.BlockingWorker;
import dev.troupe.api.RunStatus;
import dev.troupe.api.Worker;
import dev.troupe.api.Schedule;
import dev.troupe.api.WorkerConfig;
import dev.troupe.api.WorkerModule;
import dev.troupe.api.WorkerRegistrar;
import dev.troupe.testkit.TestContextBuilder;
import dev.troupe.testkit.TestOutcome;
import dev.troupe.testkit.TestWorkerContext;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;

/**
 * A {@link WorkerRegistrar} that keeps what a module registers, so that a unit test runs a job
 * exactly as the module installs it (its handler and its {@link WorkerConfig}) on the test kit's
 * {@link TestWorkerContext}, without a node.
 */
public final class InstalledJobs implements WorkerRegistrar {
  private record Installed(WorkerConfig config, Worker async, BlockingWorker blocking) {}

  private final Map<String, Installed> jobs = new ConcurrentHashMap<>();
  private final List<Schedule> schedules = new CopyOnWriteArrayList<>();

  /** Installs {@code module} here. */
  public static InstalledJobs of(WorkerModule module) {
    InstalledJobs installed = new InstalledJobs();
    module.install(installed);
    return installed;
  }

  @Override
  public void register(String name, WorkerConfig config, Worker worker) {
    add(name, new Installed(config, worker, null));
  }

  @Override
  public void registerBlocking(String name, WorkerConfig config, BlockingWorker worker) {
    add(name, new Installed(config, null, worker));
  }

  /** The schedules a module declares are the node's business, not its jobs': kept, not run. */
  @Override
  public void schedule(Schedule schedule) {
    schedules.add(schedule);
  }

  /** The schedules the module declared, in order. */
  public List<Schedule> schedules() {
    return List.copyOf(schedules);
  }

  private void add(String name, Installed job) {
    if (jobs.putIfAbsent(name, job) != null) {
      throw new IllegalStateException(name + " is registered twice");
    }
  }

  /** The names registered. */
  public Set<String> names() {
    return Set.copyOf(jobs.keySet());
  }

  /** A context for an attempt of {@code name}, with the definition's configuration. */
  public TestContextBuilder context(String name) {
    return TestWorkerContext.builder(name).config(get(name).config());
  }

  /** Runs one attempt of {@code name} in {@code ctx}. */
  public TestOutcome run(String name, TestWorkerContext ctx) {
    Installed job = get(name);
    return job.blocking() != null ? ctx.runBlocking(job.blocking()) : ctx.runWorker(job.async());
  }

  /** Starts one attempt on a thread of its own, so that the test can cancel it meanwhile. */
  public CompletableFuture<TestOutcome> start(String name, TestWorkerContext ctx) {
    return CompletableFuture.supplyAsync(() -> run(name, ctx),
        task -> new Thread(task, "test-" + name).start());
  }

  /**
   * A test kit child handler ({@link TestContextBuilder#child}) that runs the installed job
   * {@code name} with the child's payload: its result, or its run error's message thrown.
   */
  public Function<JsonNode, JsonNode> asChild(String name) {
    return payload -> {
      TestOutcome child = run(name, context(name).payload(payload).build());
      if (child.status() != RunStatus.SUCCEEDED) {
        throw new IllegalStateException(child.error().message());
      }
      return child.result();
    };
  }

  private Installed get(String name) {
    Installed job = jobs.get(name);
    if (job == null) {
      throw new IllegalArgumentException(name + " is not registered; registered: " + names());
    }
    return job;
  }
}
