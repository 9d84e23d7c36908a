package dev.troupe.bench;

import dev.troupe.bench.HttpBench.Settings;
import dev.troupe.bench.HttpBench.Sse;
import dev.troupe.bench.HttpBench.SseWindow;
import dev.troupe.bench.HttpBench.Target;
import dev.troupe.bench.HttpBench.Throughput;
import dev.troupe.bench.core.DocsSection;
import dev.troupe.bench.core.Machine;
import dev.troupe.bench.core.Postgres;
import dev.troupe.bench.core.Stats;
import java.time.ZonedDateTime;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.HdrHistogram.Histogram;

/**
 * The HTTP benchmark's Markdown section of {@code docs/benchmarks.md}: the command, the machine,
 * the client and method, then each target's tables and the problems met.
 */
final class HttpReport {

  private HttpReport() {}

  /** The whole section, its markers included, for the {@code targets} measured. */
  static String markdown(Settings s, Map<String, String> machine, ZonedDateTime started,
      String loadBefore, String loadAfter, List<Target> targets) {
    StringBuilder b = new StringBuilder();
    b.append(s.section().start()).append('\n');
    b.append("## ").append(s.title()).append("\n\n");
    b.append("Written by `dev.troupe.bench.HttpBenchmark` (module `bench/node/`, outside `mvn verify`)"
        + " on ").append(DocsSection.writtenOn(started)).append(".\n\n");
    b.append(DocsSection.command((s.url() == null && s.dbs().contains("pg")
        ? Postgres.commandPrefix() : "") + s.command()));
    b.append("`bench/run-http.sh` builds the module like `bench/run.sh` and runs `java -Xms2g -Xmx4g"
        + " -cp \"bench/node/target/troupe-bench.jar:bench/node/target/lib/*\" dev.troupe.bench.HttpBenchmark`.\n\n");
    b.append("Load average (1, 5, 15 min, from `/proc/loadavg`): ").append(loadBefore)
        .append(" when it started, ").append(loadAfter).append(" when it ended");
    double before = Machine.oneMinute(loadBefore);
    b.append(before > 0.5 ? String.format(Locale.ROOT, ". The 1-minute load was %.2f, above 0.5,"
        + " before the benchmark began: other work shared the machine's cores, so these figures"
        + " are lower than on an idle machine.%n%n", before) : ".\n\n");
    b.append("### Machine\n\n").append(DocsSection.table(machine)).append('\n');
    b.append("### Client and method\n\n");
    b.append("- Client: `java.net.http.HttpClient` of the JDK above, HTTP/1.1 with keep-alive (its"
        + " connection pool), in the same JVM as the node")
        .append(s.url() == null ? " (the node runs in-process, Troupe's default settings, HTTP on"
            + " a free port of 127.0.0.1, the journal in a fresh database; client and node share"
            + " the cores)" : " (the node is the one at " + s.url() + ")").append(". Workers: `")
        .append(s.noop()).append("` returns its payload, `").append(s.emit())
        .append("` emits one message at once and returns; payload `").append(s.payload())
        .append("`.\n");
    b.append(String.format(Locale.ROOT, "- Runs/s: %d connections, each sending its next request as"
            + " soon as the previous one is answered (closed loop); a %d s warm-up, then %d"
            + " consecutive windows of %d s, each counting the answers with the expected status that"
            + " arrived in it; min/median/max over the windows. Request latency is the time from"
            + " sending to the whole answer, over all windows. *JVM CPU* is the CPU time the"
            + " benchmark's JVM (client and node together) used during the windows, per second of"
            + " wall time, in cores of the %d: on a busy machine it shows the share this JVM"
            + " got.%n", s.connections(), s.warmupSeconds(), s.reps(), s.seconds(),
        Runtime.getRuntime().availableProcessors()));
    b.append(String.format(Locale.ROOT, "- SSE time to first message: `POST /api/v1/workers/%s/runs`"
            + " with `Accept: text/event-stream`, %,.0f calls/s from one pacing thread (open loop),"
            + " each stream read to its end; the time from sending the request to receiving the"
            + " first complete `event: message` frame, in an HdrHistogram (µs precision). A %d s"
            + " warm-up, then %d windows of %d s by the time the call was sent; min/median/max over"
            + " the windows. Each workload starts once the node is idle and its run history has"
            + " caught up.%n%n", s.emit(), s.sseRate(), s.warmupSeconds(), s.reps(), s.seconds()));
    for (Target t : targets) {
      b.append("### ").append(t.name()).append("\n\n");
      if (t.skipped() != null) {
        b.append("Skipped: ").append(t.skipped()).append(".\n\n");
        continue;
      }
      b.append(t.about()).append(String.format(Locale.ROOT, "; this part took %.0f s.%n%n",
          t.seconds()));
      if (!t.throughput().isEmpty()) {
        b.append("| workload | request | connections |");
        for (int i = 1; i <= s.reps(); i++) {
          b.append(" rep ").append(i).append(" /s |");
        }
        b.append(" min /s | median /s | max /s | request p50 ms | p99 ms | max ms | errors | JVM CPU, cores |\n|---|---|---:|");
        b.append("---:|".repeat(s.reps() + 8)).append('\n');
        for (Throughput tp : t.throughput()) {
          double[] v = tp.sorted();
          b.append("| ").append(tp.workload()).append(" | `").append(tp.request()).append("` | ")
              .append(s.connections()).append(" |");
          tp.reps().forEach(w -> b.append(String.format(Locale.ROOT, " %,.0f |", w.perSecond())));
          Histogram h = tp.latency();
          b.append(String.format(Locale.ROOT, " %,.0f | **%,.0f** | %,.0f | %s | %s | %s | %d | %.2f |%n",
              v[0], Stats.median(v), v[v.length - 1], Stats.ms(h, 50), Stats.ms(h, 99),
              Stats.msMax(h), tp.errors(), tp.cpuCores()));
        }
        b.append('\n');
        t.throughput().stream().filter(tp -> tp.backlog() != null).forEach(tp -> b.append("After the ")
            .append(tp.workload()).append(", the node's backlog: ").append(tp.backlog()).append(".\n\n"));
      }
      Sse sse = t.sse();
      if (sse != null) {
        if (sse.overload() != null) {
          b.append(String.format(Locale.ROOT, "SSE time to first message at %,.0f calls/s: %s.%n%n",
              sse.rate(), sse.overload()));
        } else {
          b.append("| SSE calls/s | window | calls measured | first message p50 ms | p99 ms | max ms | errors |\n");
          b.append("|---:|---|---:|---:|---:|---:|---:|\n");
          for (int i = 0; i < sse.reps().size(); i++) {
            SseWindow w = sse.reps().get(i);
            b.append(String.format(Locale.ROOT, "| %,.0f | rep %d | %,d | %s | %s | %s | %d |%n",
                w.achievedRate(), i + 1, w.firstMessage().getTotalCount(),
                Stats.ms(w.firstMessage(), 50), Stats.ms(w.firstMessage(), 99),
                Stats.msMax(w.firstMessage()), w.errors()));
          }
          b.append(String.format(Locale.ROOT, "| %,.0f | min / **median** / max | | %s | %s | %s | %d |%n%n",
              sse.rate(), spread(sse, 50), spread(sse, 99), spread(sse, 100), sse.errors()));
          b.append(String.format(Locale.ROOT, "This JVM (client and node) used %.2f cores during the"
              + " SSE windows.%n%n", sse.cpuCores()));
        }
      }
    }
    List<String> problems = targets.stream().flatMap(t -> t.problems().stream()).toList();
    if (!problems.isEmpty()) {
      b.append("### Problems\n\n");
      problems.forEach(p -> b.append("- ").append(p).append('\n'));
      b.append('\n');
    }
    b.append(s.section().end()).append('\n');
    return b.toString();
  }

  /** "min / **median** / max" over the windows of a percentile (100: the max) in ms. */
  private static String spread(Sse sse, double percentile) {
    double[] v = sse.reps().stream().mapToDouble(w -> (percentile >= 100
        ? w.firstMessage().getMaxValue() : w.firstMessage().getValueAtPercentile(percentile)) / 1000.0)
        .sorted().toArray();
    return v.length == 0 ? "–" : String.format(Locale.ROOT, "%.2f / **%.2f** / %.2f", v[0], Stats.median(v),
        v[v.length - 1]);
  }
}
