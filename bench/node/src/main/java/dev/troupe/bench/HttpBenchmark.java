package dev.troupe.bench;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.typesafe.config.Config;
import dev.troupe.api.WorkerConfig;
import dev.troupe.bench.HttpBench.Settings;
import dev.troupe.bench.HttpBench.Sse;
import dev.troupe.bench.HttpBench.Target;
import dev.troupe.bench.HttpBench.Throughput;
import dev.troupe.bench.HttpLoad.Client;
import dev.troupe.bench.core.BenchNode;
import dev.troupe.bench.core.Machine;
import dev.troupe.node.TroupeNode;
import dev.troupe.node.http.HttpServer;
import dev.troupe.node.http.HttpSettings;
import java.net.http.HttpClient;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * Load benchmark of a node's HTTP API with a Java client ({@link HttpClient}, HTTP/1.1 with
 * keep-alive):
 *
 * <ol>
 *   <li>accept: runs/s of {@code POST /api/v1/workers/{noop}/runs} answered 202, from a fixed
 *       number of connections, each sending its next call when the previous one is answered;
 *   <li>wait: the same with {@code ?wait=true} (answered 200 with the finished run);
 *   <li>sse: time to first message, p50/p99/max: {@code POST} with {@code Accept:
 *       text/event-stream} to a worker that emits one message at once, at a fixed rate, from
 *       sending the request to receiving the first complete {@code event: message} frame.
 * </ol>
 *
 * <p>The node runs in-process with HTTP on a free port (on H2, and on PostgreSQL when {@code
 * TROUPE_BENCH_PG_URL} or {@code TROUPE_TEST_PG_URL} is set), or is any node given by {@code
 * --url}. Each workload has a warm-up that is not measured, then several repetitions reported as
 * min/median/max. Prints the figures and writes them, with the machine, the load average and the
 * command, between {@code <!-- http-benchmark:start -->} and {@code <!-- http-benchmark:end -->} (or the
 * markers of {@code --section}) of {@code docs/benchmarks.md}. Started by
 * {@code bash bench/run-http.sh}; options as {@code --key=value} (listed in {@code
 * bench/README.md}).
 *
 * <p>This class starts the node and runs the chosen workloads; the client and the closed loops
 * are in {@link HttpLoad}, the SSE workload in {@link SseWorkload}, the section it writes in
 * {@link HttpReport}, and the settings and results they share in {@link HttpBench}.
 */
public final class HttpBenchmark {

  private HttpBenchmark() {}

  // main

  public static void main(String[] args) throws Exception {
    Settings s = Settings.parse(args);
    Map<String, String> machine = NodeHarness.machine();
    machine.put("memory (MemTotal)", Machine.memory());
    String loadBefore = Machine.loadAverage();
    ZonedDateTime started = ZonedDateTime.now(ZoneOffset.UTC);
    System.out.println("Troupe HTTP benchmark, " + started.format(DateTimeFormatter.ISO_INSTANT));
    machine.forEach((k, v) -> System.out.println("  " + k + ": " + v));
    System.out.println("  load average: " + loadBefore);
    System.out.println("  settings: " + s);

    List<Target> targets = new ArrayList<>();
    if (s.url() != null) {
      targets.add(measure("The node at " + s.url(), s.url(), "Node: `" + s.url() + "` (started"
          + " elsewhere)", s));
    } else {
      if (s.dbs().contains("h2")) {
        targets.add(NodeHarness.onH2("troupe-httpbench-h2", j -> inProcess(j, s)));
      }
      if (s.dbs().contains("pg")) {
        targets.add(NodeHarness.onPostgres("troupe_httpbench_", j -> inProcess(j, s),
            why -> new Target("PostgreSQL", null, why, List.of(), null, List.of(), 0)));
      }
    }
    String loadAfter = Machine.loadAverage();
    String section = HttpReport.markdown(s, machine, started, loadBefore, loadAfter, targets);
    System.out.println();
    System.out.println(section);
    s.section().writeInto(s.docs(), section);
    System.out.println("wrote " + s.docs().toAbsolutePath());
    System.exit(0); // nothing else must keep the JVM up
  }

  /** A node in this JVM on the journal {@code j}, serving HTTP on a free port of 127.0.0.1. */
  private static Target inProcess(NodeHarness.Journal j, Settings s) throws Exception {
    String name = j.name();
    System.out.println();
    System.out.println("=== " + name + ": " + j.shown());
    long t0 = System.nanoTime();
    ErrorLog.drain();
    String version = NodeHarness.databaseVersion(j);
    Config config = BenchNode.config(j.url(), j.user(), j.password(),
        "troupe.http { enabled = on, host = 127.0.0.1, port = 0 }");
    ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "troupe", config);
    List<String> problems = new ArrayList<>();
    TroupeNode troupe = null;
    try {
      troupe = TroupeNode.start(system);
      WorkerConfig cfg = NodeHarness.WORKER;
      troupe.register(s.noop(), cfg, ctx -> CompletableFuture.completedFuture(ctx.payload()));
      ObjectNode message = NodeHarness.JSON.createObjectNode().put("hello", "first message");
      troupe.register(s.emit(), cfg, ctx -> {
        ctx.emit(message);
        return CompletableFuture.completedFuture(null);
      });
      // the first run waits for the cluster to form and the entity to start
      troupe.run(s.noop(), NodeHarness.payload()).toCompletableFuture().get(60, TimeUnit.SECONDS);
      int port = HttpServer.start(troupe, HttpSettings.fromConfig(config)).toCompletableFuture()
          .get(20, TimeUnit.SECONDS).localAddress().getPort();
      System.out.printf("  node up in %.1f s, HTTP on port %d%n", (System.nanoTime() - t0) / 1e9, port);
      Target t = measure(name, "http://127.0.0.1:" + port, "Journal: `" + j.shown() + "`, "
          + version, s);
      problems.addAll(t.problems());
      return new Target(name, t.about(), null, t.throughput(), t.sse(), problems,
          (System.nanoTime() - t0) / 1e9);
    } finally {
      NodeHarness.stop(troupe, system, problems, name);
    }
  }

  /** Runs the chosen workloads against the API at {@code base}. */
  static Target measure(String name, String base, String about, Settings s) throws Exception {
    long t0 = System.nanoTime();
    Client client = new Client(base, s.token(), s.payload());
    List<String> problems = new ArrayList<>();
    List<Throughput> throughput = new ArrayList<>();
    Sse sse = null;
    String runs = "/api/v1/workers/" + s.noop() + "/runs";
    if (s.workloads().contains("accept")) {
      throughput.add(HttpLoad.closedLoop(client, "accepted calls", "POST " + runs + " → 202", 202,
          () -> client.post(runs, false).build(), s, problems));
    }
    if (s.workloads().contains("wait")) {
      throughput.add(HttpLoad.closedLoop(client, "calls with ?wait=true",
          "POST " + runs + "?wait=true → 200", 200,
          () -> client.post(runs + "?wait=true", false).build(), s, problems));
    }
    if (s.workloads().contains("sse")) {
      sse = SseWorkload.run(client, s, problems);
    }
    return new Target(name, about, null, throughput, sse, problems, (System.nanoTime() - t0) / 1e9);
  }
}
