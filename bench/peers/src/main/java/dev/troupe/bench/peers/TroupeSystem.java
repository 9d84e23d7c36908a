package dev.troupe.bench.peers;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.troupe.api.BlockingWorker;
import dev.troupe.api.RunEvent;
import dev.troupe.api.RunHandle;
import dev.troupe.api.RunQuery;
import dev.troupe.api.Worker;
import dev.troupe.api.WorkerConfig;
import dev.troupe.bench.core.BenchNode;
import dev.troupe.node.TroupeNode;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.stream.javadsl.Sink;

/**
 * Troupe: one node started in this JVM the way every harness starts it ({@link BenchNode}, Troupe's
 * defaults otherwise), one worker definition per
 * job kind.
 */
final class TroupeSystem implements JobSystem {
  /** Calls not yet accepted, at most, while enqueueing many (as in NodeBenchmark). */
  static final int IN_FLIGHT = 4_000;
  /**
   * Every definition: up to 1,000 runs at once and a queue that holds a whole workload, default
   * retry policy (an interrupted run is run again after a crash) and timeout.
   */
  static final WorkerConfig DEFINITION =
      WorkerConfig.DEFAULT.withMaxConcurrent(1000).withQueueCapacity(1_000_000);

  private static final ObjectMapper JSON = new ObjectMapper();

  private final Storage storage;
  private final Map<JobKind, String> workers = new EnumMap<>(JobKind.class);
  private ActorSystem<Void> system;
  private TroupeNode troupe;
  private Materializer mat;

  TroupeSystem(Storage storage) {
    this.storage = storage;
    for (JobKind k : JobKind.values()) {
      workers.put(k, "peer-" + k.name().toLowerCase(java.util.Locale.ROOT));
    }
  }

  @Override
  public void start() throws Exception {
    system = ActorSystem.create(Behaviors.empty(), "troupe",
        BenchNode.config(storage.url(), storage.user(), storage.password()));
    troupe = TroupeNode.start(system);
    mat = Materializer.matFromSystem(system);
    Worker noop = ctx -> {
      JobBodies.run(JobKind.NOOP, ctx.payload().get("id").asText(), seq -> { });
      return CompletableFuture.completedFuture(null);
    };
    BlockingWorker progress = ctx -> {
      JobBodies.run(JobKind.PROGRESS, ctx.payload().get("id").asText(),
          seq -> ctx.progress(seq * 10, "step " + seq));
      return null;
    };
    BlockingWorker ledger = ctx -> {
      JobBodies.run(JobKind.LEDGER, ctx.payload().get("id").asText(), seq -> { });
      return null;
    };
    troupe.register(workers.get(JobKind.NOOP), DEFINITION, noop);
    troupe.registerBlocking(workers.get(JobKind.PROGRESS), DEFINITION, progress);
    troupe.registerBlocking(workers.get(JobKind.LEDGER), DEFINITION, ledger);
  }

  @Override
  public String version() {
    return "Troupe " + Versions.of("dev.troupe", "troupe-cluster-node", TroupeNode.class)
        + " (Pekko " + org.apache.pekko.Version.current() + ")";
  }

  @Override
  public String configuration() {
    return "one node in-process, Troupe's default settings; definitions with maxConcurrent 1000,"
        + " queueCapacity 1,000,000, default retry; enqueue many = `Troupe.call` per job with at"
        + " most " + IN_FLIGHT + " calls not yet accepted";
  }

  @Override
  public String progressChannel() {
    return "`ctx.progress(..)` in the job, `RunHandle.messages()` streamed to the caller (first"
        + " `message` event)";
  }

  private static JsonNode payload(String id) {
    return JSON.createObjectNode().put("id", id);
  }

  @Override
  public void enqueueAll(JobKind kind, List<String> ids) throws Exception {
    Semaphore window = new Semaphore(IN_FLIGHT);
    AtomicReference<Throwable> failure = new AtomicReference<>();
    for (String id : ids) {
      window.acquire();
      CompletableFuture<Void> f = enqueue(kind, id).toCompletableFuture();
      f.whenComplete((v, e) -> {
        window.release();
        if (e != null) {
          failure.compareAndSet(null, e);
        }
      });
      if (failure.get() != null) {
        throw new IllegalStateException("a call failed", failure.get());
      }
    }
    window.acquire(IN_FLIGHT); // every call accepted
    window.release(IN_FLIGHT);
    if (failure.get() != null) {
      throw new IllegalStateException("a call failed", failure.get());
    }
  }

  @Override
  public CompletionStage<Void> enqueue(JobKind kind, String id) {
    try {
      return troupe.call(workers.get(kind), payload(id)).thenApply(h -> null);
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  @Override
  public CompletionStage<Void> callAndAwaitFirstMessage(String id) {
    CompletableFuture<Void> first = new CompletableFuture<>();
    enqueueHandle(id).thenAcceptAsync(h -> h.messages().runWith(Sink.foreach(ev -> {
      if (RunEvent.MESSAGE.equals(ev.type())) {
        first.complete(null);
      }
    }), mat).whenComplete((d, e) -> {
      if (e != null) {
        first.completeExceptionally(e);
      } else if (!first.isDone()) {
        first.completeExceptionally(new IllegalStateException("stream ended without a message"));
      }
    }), system.executionContext()).exceptionally(e -> {
      first.completeExceptionally(e);
      return null;
    });
    return first;
  }

  private CompletionStage<RunHandle> enqueueHandle(String id) {
    try {
      return troupe.call(workers.get(JobKind.PROGRESS), payload(id));
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  /**
   * The run history has caught up when its newest runs have all finished there. (Lists by an
   * active status read the entities, not the history, so they cannot tell.)
   */
  @Override
  public void awaitBackgroundWork(int timeoutSeconds) throws Exception {
    Measure.await(() -> troupe.runs(new RunQuery(null, null, RunQuery.MAX_LIMIT, null))
            .toCompletableFuture().get(30, TimeUnit.SECONDS).runs().stream()
            .allMatch(r -> r.status().isTerminal()),
        200, System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds));
  }

  @Override
  public long finishedCount() throws Exception {
    long n = 0;
    for (String w : workers.values()) {
      n += troupe.stats(w).toCompletableFuture().get(30, TimeUnit.SECONDS).runs();
    }
    return n;
  }

  @Override
  public void close() throws Exception {
    if (troupe != null) {
      troupe.shutdown().toCompletableFuture().get(60, TimeUnit.SECONDS);
    }
    if (system != null) {
      system.terminate();
      system.getWhenTerminated().toCompletableFuture().get(60, TimeUnit.SECONDS);
    }
  }
}
