package dev.troupe.bench;

import dev.troupe.bench.Scenario.Finding;
import dev.troupe.bench.Scenario.Settings;
import dev.troupe.bench.core.Machine;
import dev.troupe.bench.core.Stats;
import dev.troupe.node.TroupeNode;
import dev.troupe.node.http.HttpServer;
import dev.troupe.node.http.HttpSettings;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.http.javadsl.ServerBinding;

/**
 * {@code http}: accepted runs per second over the HTTP API of the same node, against its hot
 * worker's in-process median. The node serves HTTP on a free port of 127.0.0.1; {@code wrk} (a
 * separate process, so the load generator is not this JVM) sends {@code POST
 * /api/v1/workers/bench-noop/runs} with {@code {"payload":{}}} over keep-alive connections, each
 * sending its next request when the previous one is answered (202), at each step of a ladder of
 * connection counts: a warm-up, then {@code reps} windows. Skipped, and said so, when {@code wrk}
 * is not installed.
 */
final class HttpWorkload {
  /**
   * The script: the request, and a {@code done} hook that prints one line after {@link #MARK}:
   * responses, µs elapsed, responses not 2xx, failed requests (connect, read, write, timeout),
   * latency p50 and p99 in µs.
   */
  private static final String MARK = "TROUPE-WRK";
  private static final String SCRIPT = """
      wrk.method = "POST"
      wrk.body = '{"payload":{}}'
      wrk.headers["Content-Type"] = "application/json"
      done = function(summary, latency, requests)
        local e = summary.errors
        io.write(string.format("TROUPE-WRK %d %d %d %d %d %d\\n", summary.requests,
          summary.duration, e.status, e.connect + e.read + e.write + e.timeout,
          latency:percentile(50), latency:percentile(99)))
      end
      """;

  private HttpWorkload() {}

  static String method(Settings x, NodeBenchmark.Settings s) {
    return String.format(Locale.ROOT, "*http*: the node serves its HTTP API on 127.0.0.1 (Troupe's"
        + " default HTTP settings); `wrk` (2 threads, a separate process on the same cores)"
        + " sends `POST /api/v1/workers/%s/runs` with `{\"payload\":{}}` over %s keep-alive"
        + " connections, each sending its next request once the previous one is answered: a %d s"
        + " warm-up, then %d windows of %d s per connection count, each once the node is idle"
        + " and its run history has caught up. Accepted runs/s are the 202 answers; the node's"
        + " CPU is this JVM's (wrk excluded); the ratio is to the hot worker's median in-process"
        + " rate of the same node.", NodeBenchmark.NOOP, x.httpConnections(),
        x.httpWarmupSeconds(), s.reps(), x.httpSeconds());
  }

  /** One window of wrk: answers per second, latency percentiles, errors, the node's cores. */
  private record Window(double perSecond, double p50Ms, double p99Ms, long errors, double cores) {}

  static Finding run(TroupeNode troupe, Settings x, NodeBenchmark.Settings s, double hotMedian,
      List<String> problems) throws Exception {
    if (!wrkInstalled()) {
      problems.add("http: wrk is not installed (Debian: apt-get install wrk); not measured");
      return new Finding("http", "Accepted runs over HTTP", "", List.of("http: not measured,"
          + " wrk is not installed."));
    }
    ServerBinding binding = HttpServer.start(troupe,
            HttpSettings.fromConfig(troupe.system().settings().config()))
        .toCompletableFuture().get(20, TimeUnit.SECONDS);
    Path script = Files.createTempFile("troupe-wrk", ".lua");
    Files.writeString(script, SCRIPT);
    String url = "http://127.0.0.1:" + binding.localAddress().getPort() + "/api/v1/workers/"
        + NodeBenchmark.NOOP + "/runs";
    StringBuilder table = new StringBuilder("| connections | accepted runs/s (min / median /"
        + " max) | ratio to in-process | request p50 ms | p99 ms | node cores | errors |\n"
        + "|---:|---:|---:|---:|---:|---:|---:|\n");
    List<String> notes = new ArrayList<>();
    try {
      for (int connections : x.httpConnections()) {
        NodeHarness.awaitHistoryCaughtUp(troupe);
        System.out.printf("    %d connections: %d s warm-up, %d × %d s%n", connections,
            x.httpWarmupSeconds(), s.reps(), x.httpSeconds());
        wrk(script, url, connections, x.httpWarmupSeconds());
        List<Window> reps = new ArrayList<>();
        for (int rep = 1; rep <= s.reps(); rep++) {
          Window w = wrk(script, url, connections, x.httpSeconds());
          reps.add(w);
          System.out.printf("      rep %d: %,.0f/s, p50 %.1f ms, p99 %.1f ms, node %.2f cores,"
              + " errors %d%n", rep, w.perSecond(), w.p50Ms(), w.p99Ms(), w.cores(), w.errors());
        }
        double median = Stats.median(reps, Window::perSecond);
        long errors = reps.stream().mapToLong(Window::errors).sum();
        table.append(String.format(Locale.ROOT, "| %d | %,.0f / %,.0f / %,.0f | %.2f | %.1f |"
                + " %.1f | %.2f | %d |%n", connections, Stats.min(reps, Window::perSecond),
            median, Stats.max(reps, Window::perSecond), median / hotMedian,
            Stats.median(reps, Window::p50Ms), Stats.median(reps, Window::p99Ms),
            Stats.median(reps, Window::cores), errors));
        notes.add(String.format(Locale.ROOT, "http: %d connections accepted %,.0f runs/s"
            + " (median), %.2f of the hot worker's in-process %,.0f runs/s (aim ≥ 0.50).",
            connections, median, median / hotMedian, hotMedian));
        if (errors > 0) {
          problems.add("http: " + errors + " requests failed at " + connections + " connections");
        }
      }
    } finally {
      binding.unbind().toCompletableFuture().get(20, TimeUnit.SECONDS);
      Files.deleteIfExists(script);
    }
    return new Finding("http", "Accepted runs over HTTP against in-process", table.toString(),
        notes);
  }

  /** One run of wrk for {@code seconds}; the node's cores are this JVM's CPU time over it. */
  private static Window wrk(Path script, String url, int connections, int seconds)
      throws IOException, InterruptedException {
    long cpu0 = Machine.processCpuNanos();
    long wall0 = System.nanoTime();
    Process p = new ProcessBuilder("wrk", "-t2", "-c" + connections, "-d" + seconds + "s",
        "--timeout", "30s", "-s", script.toString(), url).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(seconds + 60L, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IOException("wrk failed: " + out);
    }
    double cores = (double) (Machine.processCpuNanos() - cpu0) / (System.nanoTime() - wall0);
    String line = out.lines().filter(l -> l.startsWith(MARK)).findFirst()
        .orElseThrow(() -> new IOException("wrk printed no summary: " + out));
    String[] f = line.split(" ");
    long responses = Long.parseLong(f[1]);
    double elapsed = Long.parseLong(f[2]) / 1e6;
    long notAccepted = Long.parseLong(f[3]);
    return new Window((responses - notAccepted) / elapsed, Long.parseLong(f[5]) / 1e3,
        Long.parseLong(f[6]) / 1e3, notAccepted + Long.parseLong(f[4]), cores);
  }

  private static boolean wrkInstalled() {
    try {
      Process p = new ProcessBuilder("wrk", "--version").redirectErrorStream(true).start();
      p.getInputStream().readAllBytes();
      return p.waitFor(10, TimeUnit.SECONDS);
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

}
