package dev.troupe.bench;

import dev.troupe.bench.core.Options;
import dev.troupe.node.TroupeNode;
import java.util.ArrayList;
import java.util.List;

/**
 * The node benchmark's workloads beyond the no-op drain and the latency ladder, each a class of
 * its own: {@code due-at-once} ({@link DueAtOnceWorkload}), {@code schedules} ({@link
 * SchedulesWorkload}), {@code fairness} ({@link FairnessWorkload}), {@code priorities} ({@link
 * PrioritiesWorkload}), {@code children} ({@link ChildrenWorkload}), {@code steps} ({@link
 * StepsWorkload}) and {@code http} ({@link HttpWorkload}). They run, in that order, after the
 * node benchmark's own workloads, on the same node, when {@code --workloads} names them.
 */
final class Scenario {
  /** The workloads, in the order they run. */
  static final List<String> WORKLOADS =
      List.of("due-at-once", "schedules", "fairness", "priorities", "children", "steps", "http");

  /** Their options. */
  static final List<String> KEYS = List.of("scale", "due-runs", "due-lead-seconds", "schedules",
      "schedules-period", "schedules-seconds", "fair-runs", "fair-concurrency", "fair-per-key",
      "fair-work-ms", "fair-interval-ms", "prio-keys", "parents", "children", "parents-in-flight",
      "steps-runs", "steps", "workflow-runs", "workflow-steps", "http-connections",
      "http-seconds", "http-warmup-seconds");

  private Scenario() {}

  /**
   * The options of these workloads. {@code scale} multiplies the default counts (runs,
   * schedules, parents), never a count given explicitly, nor a duration.
   */
  record Settings(double scale, int dueRuns, int dueLeadSeconds, int schedules,
      int schedulesPeriod, int schedulesSeconds, int fairRuns, int fairConcurrency,
      int fairPerKey, int fairWorkMs, int fairIntervalMs, int prioRuns, int prioWarmup,
      int prioKeys, int parents, int children, int parentsInFlight, int stepsRuns, int steps,
      int workflowRuns, int workflowSteps, List<Integer> httpConnections, int httpSeconds,
      int httpWarmupSeconds) {

    static Settings parse(Options o, int n, int warmup) {
      double scale = o.decimal("scale", 1);
      Settings s = new Settings(scale,
          count(o, "due-runs", 100_000, scale),
          o.integer("due-lead-seconds", 15),
          count(o, "schedules", 10_000, scale),
          o.integer("schedules-period", 60),
          o.integer("schedules-seconds", 180),
          count(o, "fair-runs", 100_000, scale),
          o.integer("fair-concurrency", 100),
          o.integer("fair-per-key", 50),
          o.integer("fair-work-ms", 10),
          o.integer("fair-interval-ms", 100),
          scaled(n, scale),
          scaled(warmup, scale),
          o.integer("prio-keys", 100),
          count(o, "parents", 1_000, scale),
          o.integer("children", 10),
          o.integer("parents-in-flight", 100),
          count(o, "steps-runs", 20_000, scale),
          o.integer("steps", 5),
          count(o, "workflow-runs", 1_000, scale),
          o.integer("workflow-steps", 10),
          o.list("http-connections", "16,64,256").stream().map(Integer::valueOf).toList(),
          o.integer("http-seconds", 10),
          o.integer("http-warmup-seconds", 10));
      if (s.schedulesPeriod() < 1 || s.schedulesPeriod() > 60 || 60 % s.schedulesPeriod() != 0) {
        throw new IllegalArgumentException("schedules-period divides 60 (seconds), got "
            + s.schedulesPeriod());
      }
      if (s.fairPerKey() < 0 || s.prioKeys() < 1 || s.children() < 1 || s.parentsInFlight() < 1
          || s.steps() < 1 || s.workflowSteps() < 1 || s.dueLeadSeconds() < 1
          || s.httpSeconds() < 1 || s.httpConnections().stream().anyMatch(c -> c < 1)) {
        throw new IllegalArgumentException("fair-per-key is 0 (no cap) or more; prio-keys,"
            + " children, parents-in-flight, steps, workflow-steps, due-lead-seconds,"
            + " http-seconds and each of http-connections at least 1");
      }
      return s;
    }

    private static int count(Options o, String key, int full, double scale) {
      return o.has(key) ? o.integer(key, full) : scaled(full, scale);
    }

    private static int scaled(int full, double scale) {
      return (int) Math.max(1, Math.round(full * scale));
    }
  }

  /**
   * What one workload found on one database: its table (Markdown) and notes for the report.
   *
   * @param workload the workload's name, as {@code --workloads} gives it
   */
  record Finding(String workload, String title, String table, List<String> notes) {}

  /** What the selected workloads measure and how: one Markdown list item each. */
  static List<String> methods(NodeBenchmark.Settings s) {
    Settings x = s.scenarios();
    List<String> m = new ArrayList<>();
    for (String w : selected(s)) {
      m.add(switch (w) {
        case "due-at-once" -> DueAtOnceWorkload.method(x);
        case "schedules" -> SchedulesWorkload.method(x);
        case "fairness" -> FairnessWorkload.method(x);
        case "priorities" -> PrioritiesWorkload.method(x, s);
        case "children" -> ChildrenWorkload.method(x);
        case "steps" -> StepsWorkload.method(x, s);
        default -> HttpWorkload.method(x, s);
      });
    }
    return m;
  }

  /**
   * Runs the selected workloads on {@code troupe}, each once the run history has caught up with
   * the earlier ones; {@code hotMedian} is the hot worker's median runs/s of this run, or NaN.
   * A workload that fails adds to {@code problems} and the next one still runs.
   */
  static List<Finding> run(TroupeNode troupe, NodeBenchmark.Settings s, double hotMedian,
      List<String> problems) throws InterruptedException {
    Settings x = s.scenarios();
    List<Finding> found = new ArrayList<>();
    for (String w : selected(s)) {
      System.out.println("  " + w + ":");
      NodeHarness.awaitHistoryCaughtUp(troupe);
      try {
        found.add(switch (w) {
          case "due-at-once" -> DueAtOnceWorkload.run(troupe, x, s, hotMedian, problems);
          case "schedules" -> SchedulesWorkload.run(troupe, x, problems);
          case "fairness" -> FairnessWorkload.run(troupe, x, s, problems);
          case "priorities" -> PrioritiesWorkload.run(troupe, x, s, problems);
          case "children" -> ChildrenWorkload.run(troupe, x, s, problems);
          case "steps" -> StepsWorkload.run(troupe, x, s, problems);
          default -> HttpWorkload.run(troupe, x, s, hotMedian, problems);
        });
      } catch (InterruptedException e) {
        throw e;
      } catch (Exception e) {
        System.out.println("    FAILED: " + e);
        e.printStackTrace(System.out);
        problems.add(w + ": the workload failed: " + NodeHarness.describe(e));
      }
    }
    return found;
  }

  private static List<String> selected(NodeBenchmark.Settings s) {
    return WORKLOADS.stream().filter(s.workloads()::contains).toList();
  }
}
