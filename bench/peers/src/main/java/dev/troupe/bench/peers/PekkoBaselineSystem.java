package dev.troupe.bench.peers;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * The ceiling: plain Pekko with no persistence at all. One actor receives every job as a message
 * and runs it; the no-op body runs on the actor's thread, the blocking ones on a pool of 64
 * threads (as big as Troupe's blocking dispatcher). Progress messages complete the caller's
 * future directly, in memory. Nothing survives the process, so it takes no part in workload 4.
 */
final class PekkoBaselineSystem implements JobSystem {
  private record Job(JobKind kind, String id) {}

  private final Map<String, CompletableFuture<Void>> callers = new ConcurrentHashMap<>();
  private ExecutorService blocking;
  private ActorSystem<Job> system;

  @Override
  public void start() {
    blocking = Executors.newFixedThreadPool(64);
    system = ActorSystem.create(runner(), "baseline");
  }

  private Behavior<Job> runner() {
    return Behaviors.receive(Job.class).onMessage(Job.class, job -> {
      if (job.kind() == JobKind.NOOP) {
        run(job);
      } else {
        blocking.execute(() -> run(job));
      }
      return Behaviors.same();
    }).build();
  }

  private void run(Job job) {
    try {
      JobBodies.run(job.kind(), job.id(), seq -> {
        CompletableFuture<Void> caller = callers.remove(job.id());
        if (caller != null) {
          caller.complete(null);
        }
      });
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public String version() {
    return "Pekko " + org.apache.pekko.Version.current() + " (no persistence)";
  }

  @Override
  public String configuration() {
    return "one actor receives each job as a message and runs it (no-op on the actor, blocking"
        + " jobs on 64 threads); nothing is stored; enqueue many = a `tell` per job";
  }

  @Override
  public String progressChannel() {
    return "the job completes the caller's future in memory";
  }

  @Override
  public void enqueueAll(JobKind kind, List<String> ids) {
    ids.forEach(id -> system.tell(new Job(kind, id)));
  }

  @Override
  public CompletionStage<Void> enqueue(JobKind kind, String id) {
    system.tell(new Job(kind, id));
    return CompletableFuture.completedFuture(null);
  }

  @Override
  public CompletionStage<Void> callAndAwaitFirstMessage(String id) {
    CompletableFuture<Void> first = callers.computeIfAbsent(id, k -> new CompletableFuture<>());
    system.tell(new Job(JobKind.PROGRESS, id));
    return first;
  }

  @Override
  public long finishedCount() {
    return Probe.finishedCount();
  }

  @Override
  public void close() throws Exception {
    if (system != null) {
      system.terminate();
      system.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
    if (blocking != null) {
      blocking.shutdownNow();
    }
  }
}
