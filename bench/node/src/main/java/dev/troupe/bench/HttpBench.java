package dev.troupe.bench;

import dev.troupe.bench.core.DocsSection;
import dev.troupe.bench.core.Options;
import java.nio.file.Path;
import java.util.List;
import org.HdrHistogram.Histogram;

/**
 * What the HTTP benchmark ({@link HttpBenchmark}) is given and what it measured: its settings
 * and the results its workloads return. They live apart from the workloads ({@link HttpLoad},
 * {@link SseWorkload}) and the report ({@link HttpReport}) so that each of those depends on this
 * file only, never on another's.
 */
final class HttpBench {

  private HttpBench() {}

  // settings

  /** The options of one run ({@code --key=value}, listed in {@code bench/README.md}), checked. */
  record Settings(int connections, int seconds, int warmupSeconds, int reps, double sseRate,
      List<String> workloads, List<String> dbs, String url, String token, String noop,
      String emit, String payload, DocsSection section, String title, Path docs, String command) {

    static Settings parse(String[] args) {
      Options o = new Options("bench", args);
      o.check(List.of("connections", "seconds", "warmup-seconds", "reps", "sse-rate", "workloads",
          "db", "url", "token", "noop", "emit", "payload", "section", "title", "docs", "command"),
          "bench/README.md");
      Settings s = new Settings(
          o.integer("connections", 16),
          o.integer("seconds", 10),
          o.integer("warmup-seconds", 15),
          o.integer("reps", 3),
          o.decimal("sse-rate", 100),
          o.list("workloads", "accept,wait,sse"),
          NodeHarness.databases(o),
          o.get("url", null),
          o.get("token", null),
          o.get("noop", NodeBenchmark.NOOP),
          o.get("emit", NodeBenchmark.EMIT),
          o.get("payload", "{}"),
          new DocsSection(o.get("section", "http-benchmark")),
          o.get("title", "HTTP benchmark: runs/s over the HTTP API and SSE time to first message"),
          o.path("docs", DocsSection.DOCS),
          o.get("command", "java dev.troupe.bench.HttpBenchmark " + String.join(" ", args)));
      if (!List.of("accept", "wait", "sse").containsAll(s.workloads())) {
        throw new IllegalArgumentException("workloads are accept, wait and sse, got " + s.workloads());
      }
      if (s.connections() < 1 || s.reps() < 1 || s.seconds() < 1 || s.sseRate() * s.seconds() < 1) {
        throw new IllegalArgumentException("connections, reps, seconds and sse-rate × seconds must"
            + " be at least 1");
      }
      return s;
    }
  }

  // results

  /** One measured window of a closed-loop workload. */
  record Window(long answered, double seconds, Histogram latency, long errors) {
    double perSecond() {
      return answered / seconds;
    }
  }

  /**
   * A closed-loop workload: its measured windows, and what went wrong. {@code cpuCores}: CPU time
   * of this JVM (client and node) over the windows, per second.
   */
  record Throughput(String workload, String request, int expectedStatus, List<Window> reps,
      long errors, String firstError, String backlog, double cpuCores) {
    double[] sorted() {
      return reps.stream().mapToDouble(Window::perSecond).sorted().toArray();
    }

    Histogram latency() {
      Histogram all = new Histogram(3);
      reps.forEach(w -> all.add(w.latency()));
      return all;
    }
  }

  /** One measured window of the SSE workload: time to first message of the calls sent in it. */
  record SseWindow(long sent, double achievedRate, Histogram firstMessage, long errors) {}

  /**
   * The SSE workload: its measured windows, and what went wrong or cut it short. {@code
   * cpuCores}: CPU time of this JVM (client and node) over the windows, per second.
   */
  record Sse(double rate, List<SseWindow> reps, long errors, String firstError, String overload,
      double cpuCores) {}

  /** What was measured: {@code about} says where (the journal, or the node's URL). */
  record Target(String name, String about, String skipped, List<Throughput> throughput, Sse sse,
      List<String> problems, double seconds) {}
}
