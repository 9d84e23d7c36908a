package dev.troupe.bench.peers;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.troupe.bench.core.Machine;
import dev.troupe.bench.core.Options;
import dev.troupe.bench.peers.Results.LatencyRep;
import dev.troupe.bench.peers.Results.Load;
import dev.troupe.bench.peers.Results.SystemResult;
import dev.troupe.bench.peers.Results.ThroughputRep;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One system in its own JVM, started by {@link PeerBenchmark}: {@code --mode=measure} runs
 * workloads 1 to 3 and writes a {@link SystemResult} as JSON to {@code --out};
 * {@code --mode=durable-enqueue} enqueues the durability workload's jobs, prints
 * {@value #ENQUEUED} once all are accepted and drains until killed; {@code --mode=durable-drain}
 * starts on the same storage, prints {@value #STARTED} and drains until stopped.
 */
public final class SystemMain {
  static final String ENQUEUED = "DURABLE-ENQUEUED";
  static final String STARTED = "DURABLE-STARTED";
  static final int LEDGER_CONNECTIONS = 16;

  private SystemMain() {}

  static JobSystem create(String system, Storage storage, Options o) {
    return switch (system) {
      case "troupe" -> new TroupeSystem(storage);
      case "pekko" -> new PekkoBaselineSystem();
      case "db-scheduler" -> new DbSchedulerSystem(storage);
      case "jobrunr" -> new JobRunrSystem(storage,
          o.integer("jobrunr-workers", JobRunrSystem.DEFAULT_WORKERS));
      default -> throw new IllegalArgumentException("unknown system " + system);
    };
  }

  public static void main(String[] args) throws Exception {
    Options o = new Options("peers", args);
    o.check(Set.of("mode", "system", "target", "db-kind", "db-url", "db-user", "db-password",
        "ledger-kind", "ledger-url", "ledger-user", "ledger-password", "n", "warmup", "reps",
        "latency-rate", "latency-seconds", "warmup-seconds", "message-rate", "message-seconds",
        "timeout-seconds", "out", "jobrunr-workers"), "started by PeerBenchmark");
    Storage storage = Storage.fromArgs(o, "db");
    JobSystem sys = create(o.get("system", null), storage, o);
    switch (o.get("mode", "measure")) {
      case "measure" -> measure(o, sys, storage);
      case "durable-enqueue", "durable-drain" -> durable(o, sys);
      default -> throw new IllegalArgumentException("unknown mode " + o.get("mode", null));
    }
  }

  /**
   * Warm-up jobs before workload 1: by default as many as one repetition, because every system
   * (Troupe and the peers alike) ran each 20,000-job-warmed repetition faster than the one before
   * while the JIT was still compiling.
   */
  static int warmupJobs(Options o) {
    return o.integer("warmup", o.integer("n", 100_000));
  }

  private static void measure(Options o, JobSystem sys, Storage storage) throws Exception {
    List<String> problems = new ArrayList<>();
    Map<String, Load> load = new LinkedHashMap<>();
    List<ThroughputRep> throughput = new ArrayList<>();
    List<LatencyRep> startLatency = new ArrayList<>();
    List<LatencyRep> firstMessage = new ArrayList<>();
    double catchUp = Double.NaN;
    int reps = o.integer("reps", 3);
    int warmupSeconds = o.integer("warmup-seconds", 3);
    try {
      sys.start();
      Measure m = new Measure(sys, problems);
      int timeout = o.integer("timeout-seconds", 600);

      String before = Machine.loadAverage();
      System.out.printf("  workload 1: warm-up of %,d jobs, then %d × %,d%n",
          warmupJobs(o), reps, o.integer("n", 100_000));
      m.drain(warmupJobs(o), timeout);
      for (int i = 0; i < reps; i++) {
        throughput.add(m.drain(o.integer("n", 100_000), timeout));
      }
      load.put("throughput", new Load(before, Machine.loadAverage()));
      long idle = System.nanoTime();
      sys.awaitBackgroundWork(timeout);
      catchUp = (System.nanoTime() - idle) / 1e9;
      System.out.printf("  background work caught up %.1f s after workload 1%n", catchUp);

      before = Machine.loadAverage();
      double rate = o.decimal("latency-rate", 200);
      int seconds = o.integer("latency-seconds", 10);
      System.out.printf("  workload 2: %,.0f jobs/s, %d s warm-up, %d × %d s%n", rate,
          warmupSeconds, reps, seconds);
      m.startLatency(rate, warmupSeconds, false);
      for (int i = 0; i < reps; i++) {
        startLatency.add(m.startLatency(rate, seconds, true));
      }
      load.put("start latency", new Load(before, Machine.loadAverage()));
      sys.awaitBackgroundWork(timeout);

      before = Machine.loadAverage();
      rate = o.decimal("message-rate", 20);
      seconds = o.integer("message-seconds", 10);
      System.out.printf("  workload 3: %,.0f calls/s, %d s warm-up, %d × %d s%n", rate,
          warmupSeconds, reps, seconds);
      m.firstMessage(rate, warmupSeconds, false);
      for (int i = 0; i < reps; i++) {
        firstMessage.add(m.firstMessage(rate, seconds, true));
      }
      load.put("first message", new Load(before, Machine.loadAverage()));
    } catch (Exception e) {
      e.printStackTrace(System.out);
      problems.add("the run failed: " + e);
    }
    SystemResult r = new SystemResult(o.get("target", null), sys.version(),
        storage.version(), storage.durability(), sys.configuration(), sys.progressChannel(),
        throughput, catchUp, startLatency, firstMessage, load, problems);
    new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
        .writeValue(Path.of(o.get("out", "result.json")).toFile(), r);
    try {
      sys.close();
    } catch (Exception e) {
      System.out.println("  close failed: " + e);
    }
    System.exit(0);
  }

  private static void durable(Options o, JobSystem sys) throws Exception {
    Ledger.open(Storage.fromArgs(o, "ledger"), LEDGER_CONNECTIONS);
    sys.start();
    if ("durable-enqueue".equals(o.get("mode", null))) {
      sys.enqueueAll(JobKind.LEDGER, Measure.ids("d-", o.integer("n", 20_000)));
      System.out.println(ENQUEUED);
    } else {
      System.out.println(STARTED);
    }
    System.out.flush();
    Thread.sleep(Long.MAX_VALUE); // drains until the harness kills or stops this JVM
  }
}
