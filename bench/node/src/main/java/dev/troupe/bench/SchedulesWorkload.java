package dev.troupe.bench;

import dev.troupe.api.Schedule;
import dev.troupe.api.ScheduleInfo;
import dev.troupe.api.SchedulePage;
import dev.troupe.api.WorkerStats;
import dev.troupe.bench.Scenario.Finding;
import dev.troupe.bench.Scenario.Settings;
import dev.troupe.bench.core.Machine;
import dev.troupe.bench.core.Stats;
import dev.troupe.node.TroupeNode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code schedules}: what many cron schedules cost an idle node. {@code schedules} schedules
 * ({@code Troupe.schedules().put}) of the no-op {@code bench-tick}, 6-field cron with seconds,
 * each firing once every {@code schedules-period} seconds (60: every minute) at a second of its
 * own ({@code i mod period}), so that the fires spread evenly. The node's process CPU time
 * ({@code com.sun.management.OperatingSystemMXBean.getProcessCpuTime}) per wall-clock time, as %
 * of one core, is read first on the idle node, then, after one whole period of warm-up, over
 * {@code schedules-seconds} (in windows of one period). Then the schedules are paused, and every
 * fire time each still lists ({@link FireCheck}) is checked to have started exactly one run;
 * finally they are deleted.
 */
final class SchedulesWorkload {
  static final String TICK = "bench-tick";
  private static final int IN_FLIGHT = 500;

  private SchedulesWorkload() {}

  static String method(Settings x) {
    return String.format(Locale.ROOT, "*schedules*: %,d schedules (`Troupe.schedules().put`) of"
        + " the no-op `bench-tick`, each with a 6-field cron firing every %d s at a second of its"
        + " own (`%s` for the first), so %,.1f runs/s spread evenly. The node's process CPU time"
        + " (`OperatingSystemMXBean.getProcessCpuTime`, the harness's JVM, which idles meanwhile)"
        + " per second of wall-clock time, as %% of one core: first on the idle node (%d s), then,"
        + " after one period of warm-up, over %d s in windows of one period. Then the schedules"
        + " are paused and every fire time each still lists is checked to have started exactly"
        + " one run (a run id, no other fire with it, the handler invoked once for it, no fire"
        + " time missing between the first and the last); then they are deleted.", x.schedules(),
        x.schedulesPeriod(), cron(0, x.schedulesPeriod()), x.schedules()
            / (double) x.schedulesPeriod(), idleSeconds(x), windows(x) * x.schedulesPeriod());
  }

  static Finding run(TroupeNode troupe, Settings x, List<String> problems) throws Exception {
    int count = x.schedules();
    int period = x.schedulesPeriod();
    Map<String, Integer> started = new ConcurrentHashMap<>();
    AtomicLong starts = new AtomicLong();
    troupe.register(TICK, NodeHarness.WORKER, ctx -> {
      started.merge(ctx.runId(), 1, Integer::sum);
      starts.incrementAndGet();
      return CompletableFuture.completedFuture(null);
    });
    troupe.run(TICK, NodeHarness.payload()).toCompletableFuture().get(60, TimeUnit.SECONDS);
    started.clear();
    double idle = cpuPercent(idleSeconds(x));
    System.out.printf("    idle node: %.1f %% of one core over %d s%n", idle, idleSeconds(x));

    long t0 = System.nanoTime();
    Calls puts = Calls.run(count, IN_FLIGHT, i -> troupe.schedules().put(
        Schedule.of(name(i), TICK, cron(i, period))), 600);
    Instant putsDone = Instant.now();
    System.out.printf("    %,d schedules put in %.1f s, failed %d%n", puts.completed(),
        (System.nanoTime() - t0) / 1e9, puts.failed());
    if (puts.failed() > 0) {
      problems.add("schedules: " + puts.failed() + " puts failed, first: " + puts.firstError());
    }
    Thread.sleep(TimeUnit.SECONDS.toMillis(period));
    List<Double> cpu = new ArrayList<>();
    long startsBefore = starts.get();
    long w0 = System.nanoTime();
    for (int i = 0; i < windows(x); i++) {
      cpu.add(cpuPercent(period));
      System.out.printf("    window %d: %.1f %% of one core%n", i + 1, cpu.get(i));
    }
    double firesPerSecond = (starts.get() - startsBefore) / ((System.nanoTime() - w0) / 1e9);
    double[] sorted = cpu.stream().mapToDouble(d -> d).sorted().toArray();
    double median = Stats.median(sorted);

    Instant pausing = Instant.now();
    Calls pauses = Calls.run(count, IN_FLIGHT, i -> troupe.schedules().pause(name(i)), 600);
    awaitIdle(troupe);
    List<ScheduleInfo> infos = list(troupe);
    int kept = troupe.system().settings().config().getInt("troupe.schedules.recent-runs");
    FireCheck check = FireCheck.of(infos, started, period, putsDone, pausing, kept);
    Calls deletes = Calls.run(count, IN_FLIGHT, i -> troupe.schedules().delete(name(i)), 600);
    if (pauses.failed() + deletes.failed() > 0) {
      problems.add("schedules: " + pauses.failed() + " pauses and " + deletes.failed()
          + " deletes failed, first: " + (pauses.failed() > 0 ? pauses.firstError()
          : deletes.firstError()));
    }
    System.out.printf("    %,.1f runs/s started (%,.1f expected); CPU median %.1f %% (%.1f-%.1f);"
            + " %s%n", firesPerSecond, count / (double) period, median, sorted[0],
        sorted[sorted.length - 1], check.summary());
    String table = "| schedules | every | runs started/s (expected) | CPU, % of one core: idle"
        + " node | with the schedules: median | min–max of the windows | fire times checked |"
        + " each started exactly one run |\n|---:|---:|---:|---:|---:|---|---:|---|\n"
        + String.format(Locale.ROOT, "| %,d | %d s | %,.1f (%,.1f) | %.1f | **%.1f** | %.1f–%.1f"
                + " | %,d | %s |%n", count, period, firesPerSecond, count / (double) period, idle,
            median, sorted[0], sorted[sorted.length - 1], check.fires(),
            check.exact() ? "yes" : "**no**: " + check.summary());
    String note = String.format(Locale.ROOT, "schedules: %,d schedules firing every %d s cost"
        + " the node %.1f %% of one core (median of %d windows of %d s) against %.1f %% idle; %s.",
        count, period, median, cpu.size(), period, idle, check.summary());
    if (!check.exact()) {
      problems.add("schedules: " + check.summary());
    }
    return new Finding("schedules", "Cron schedules on one node", table, List.of(note));
  }

  /** Schedule {@code i}: every {@code period} seconds from second {@code i mod period}. */
  static String cron(int i, int period) {
    int second = i % period;
    return (period == 60 ? String.valueOf(second) : second + "/" + period) + " * * * * *";
  }

  private static String name(int i) {
    return String.format(Locale.ROOT, "bench-tick-%06d", i);
  }

  private static int idleSeconds(Settings x) {
    return Math.max(5, Math.min(15, x.schedulesSeconds() / 3));
  }

  private static int windows(Settings x) {
    return Math.max(1, x.schedulesSeconds() / x.schedulesPeriod());
  }

  /** This JVM's CPU time over the next {@code seconds}, as % of one core. */
  private static double cpuPercent(int seconds) throws InterruptedException {
    long cpu0 = Machine.processCpuNanos();
    long t0 = System.nanoTime();
    Thread.sleep(TimeUnit.SECONDS.toMillis(seconds));
    return 100.0 * (Machine.processCpuNanos() - cpu0) / (System.nanoTime() - t0);
  }

  /** Waits (at most a minute) until {@code bench-tick} has nothing running or queued. */
  private static void awaitIdle(TroupeNode troupe) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(1);
    while (System.nanoTime() < deadline) {
      WorkerStats st = troupe.stats(TICK).toCompletableFuture().get(10, TimeUnit.SECONDS);
      if (st.running() == 0 && st.queued() == 0) {
        return;
      }
      Thread.sleep(100);
    }
  }

  /** Every schedule of this workload, page by page. */
  private static List<ScheduleInfo> list(TroupeNode troupe) throws Exception {
    List<ScheduleInfo> all = new ArrayList<>();
    String cursor = null;
    do {
      SchedulePage page = troupe.schedules().page(SchedulePage.MAX_LIMIT, cursor)
          .toCompletableFuture().get(60, TimeUnit.SECONDS);
      page.schedules().stream().filter(i -> i.schedule().worker().equals(TICK)).forEach(all::add);
      cursor = page.nextCursor();
    } while (cursor != null);
    return all;
  }
}
