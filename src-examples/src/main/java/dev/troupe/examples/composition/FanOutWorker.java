package dev.troupe.examples.composition;

import com.fasterxml.jackson.databind.JsonNode;
import dev.troupe.api.ChildCall;
import dev.troupe.api.RetryPolicy;
import dev.troupe.api.RunResult;
import dev.troupe.api.RunStatus;
import dev.troupe.api.Worker;
import dev.troupe.api.WorkerConfig;
import dev.troupe.api.WorkerContext;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;

/**
 * {@code fan-out} (the seed's parallel processor): payload {@code {"children"?: 10,
 * "failEvery"?: 0}}. Starts {@code children} child runs with payload {@code {"i": i}} (i from 0),
 * at most {@value #PARALLELISM} unfinished at a time, awaits them all, and returns {@code
 * {"children": n, "succeeded": s, "failed": f}}.
 *
 * <p>The children are runs of {@code echo}, which cannot fail; with {@code failEvery = k > 0}
 * every k-th child (i + 1 a multiple of k) is instead a run of {@link AlwaysFailsWorker} ({@code
 * always-fails}), with the same payload, which fails permanently: {@code f = children / k}.
 * Children that fail do not fail the parent. Retried or failed over, the parent finds the
 * children it started already (their keys are deterministic) instead of starting them again.
 */
public final class FanOutWorker implements Worker {
  public static final String NAME = "fan-out";
  public static final int PARALLELISM = 5;
  public static final int MAX_CHILDREN = 1000;
  static final String ECHO = "echo";

  public static final WorkerConfig CONFIG = WorkerConfig.DEFAULT
      .withMaxConcurrent(20)
      .withRetry(RetryPolicy.NONE)
      .withDescription("Starts {children} echo child runs, every {failEvery}-th failing, and"
          + " counts their outcomes");

  @Override
  public CompletionStage<JsonNode> run(WorkerContext ctx) {
    int n = Fields.count(ctx.payload(), "children", 10, MAX_CHILDREN);
    int failEvery = Fields.count(ctx.payload(), "failEvery", 0, MAX_CHILDREN);
    List<ChildCall> calls = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      boolean fails = failEvery > 0 && (i + 1) % failEvery == 0;
      calls.add(new ChildCall(fails ? AlwaysFailsWorker.NAME : ECHO,
          ctx.newObject().put("i", i)));
    }
    return ctx.callAll(calls, PARALLELISM).thenApply(results -> {
      long succeeded = results.stream().map(RunResult::status)
          .filter(s -> s == RunStatus.SUCCEEDED).count();
      return ctx.newObject().put("children", n).put("succeeded", succeeded)
          .put("failed", n - succeeded);
    });
  }
}
