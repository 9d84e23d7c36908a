package dev.troupe.examples.operations;

import dev.troupe.api.Troupe;
import dev.troupe.api.WorkerDefinition;
import dev.troupe.api.WorkerStats;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.stream.Collectors;

/**
 * Listing workers and their statistics from application code, through the {@link Troupe}
 * facade; over HTTP the same comes from {@code GET /api/v1/workers}, {@code GET /api/v1/runs}
 * and {@code GET /api/v1/workers/{name}/stats}. Statistics come from the journal, so they
 * survive restarts.
 */
public final class WorkerDashboard {
  private WorkerDashboard() {}

  /** The registered definitions, the runs not yet finished, and those of {@code send-email}. */
  public record Dashboard(List<String> definitions, int runningCount, int emailWorkerRuns) {}

  /** One worker's statistics, as the seed's dashboard shows them. */
  public record Stats(long totalRuns, long errors, double successRate, long averageDurationMs,
      long lastRunMs) {}

  /** The dashboard; {@code send-email} must be registered on this node. */
  public static CompletionStage<Dashboard> dashboard(Troupe troupe) {
    List<String> definitions = troupe.workers().stream().map(WorkerDefinition::name).toList();
    return troupe.active().thenCombine(troupe.active("send-email"),
        (running, emails) -> new Dashboard(definitions, running.size(), emails.size()));
  }

  /** The statistics of every registered worker, by name. */
  public static CompletionStage<Map<String, Stats>> stats(Troupe troupe) {
    List<CompletableFuture<WorkerStats>> all = troupe.workers().stream()
        .map(d -> troupe.stats(d.name()).toCompletableFuture()).toList();
    return CompletableFuture.allOf(all.toArray(CompletableFuture[]::new))
        .thenApply(done -> all.stream().map(CompletableFuture::join)
            .collect(Collectors.toMap(WorkerStats::worker, WorkerDashboard::stats)));
  }

  private static Stats stats(WorkerStats s) {
    return new Stats(s.runs(), s.errors(),
        s.runs() > 0 ? (s.runs() - s.errors()) * 100.0 / s.runs() : 0,
        s.runs() > 0 ? s.totalRuntimeMs() / s.runs() : 0, s.lastRunMs());
  }
}
