package dev.troupe.examples.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import dev.troupe.api.BlockingWorker;
import dev.troupe.api.ChildRun;
import dev.troupe.api.Compensation;
import dev.troupe.api.PermanentFailure;
import dev.troupe.api.RetryPolicy;
import dev.troupe.api.RunResult;
import dev.troupe.api.RunStatus;
import dev.troupe.api.WorkerConfig;
import dev.troupe.api.WorkerContext;
import dev.troupe.api.WorkerModule;
import dev.troupe.api.WorkerRegistrar;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Workers of the node processes that {@link SagaFailoverProcessTest} starts (listed for
 * ServiceLoader only on their classpath, in {@code cluster-nodes/META-INF/services}): a saga
 * parent and its child. Everything they do that the test counts is a line of {@link SideEffects}
 * in the directory the payload names ({@code {"dir": path}}).
 *
 * <p>The parent ({@link #PARENT}): three durable steps, each with a compensation, then {@link
 * #CHILDREN} children of {@link #CHILD} called one by one and awaited, then a step that fails
 * permanently, so that the run fails for good and compensates. The child records its start and
 * waits until a file {@code release} appears in the directory.
 */
public final class SagaTestWorkers implements WorkerModule {
  static final String PARENT = "failover-saga";
  static final String CHILD = "failover-saga-child";
  static final int CHILDREN = 10;
  /** The parent's steps in order, each with its compensation. */
  static final List<List<String>> STEPS = List.of(
      List.of("reserve-inventory", "release-inventory"),
      List.of("charge-payment", "refund-payment"),
      List.of("book-shipping", "cancel-shipping"));
  /** The step after the children: it fails permanently. */
  static final String FAILING_STEP = "confirm-order";
  static final String FAILURE = "confirm-order fails on purpose: the saga compensates";
  /** Entities of the child's definition: enough that every node hosts some. */
  static final int CHILD_PARTITIONS = 6;

  private static final RetryPolicy RETRY = RetryPolicy.of(3, Duration.ofMillis(100), Duration.ofSeconds(1));

  static final WorkerConfig PARENT_CONFIG = WorkerConfig.DEFAULT
      .withTimeout(Duration.ofMinutes(3))
      .withRetry(RETRY)
      .withDescription("A saga: 3 compensated steps, 10 children, then a step that fails");

  static final WorkerConfig CHILD_CONFIG = WorkerConfig.DEFAULT
      .withPartitions(CHILD_PARTITIONS)
      .withMaxConcurrent(64)
      .withTimeout(Duration.ofMinutes(3))
      .withRetry(RETRY)
      .withDescription("Records its start and waits for the file 'release'");

  static final BlockingWorker SAGA = ctx -> {
    Path dir = Path.of(ctx.payload().get("dir").asText());
    SideEffects.record(dir, ctx, "kind=parent");
    for (List<String> step : STEPS) {
      ctx.step(step.get(0), String.class, () -> {
        SideEffects.record(dir, ctx, "kind=step name=" + step.get(0));
        return step.get(0) + "-done";
      }, Compensation.of(step.get(1), done -> SideEffects.record(dir, ctx, "kind=compensation name=" + step.get(1))));
    }
    List<ChildRun> children = new ArrayList<>();
    for (int i = 0; i < CHILDREN; i++) {
      JsonNode payload = ctx.newObject().put("dir", dir.toString()).put("i", i);
      ChildRun child = ctx.call(CHILD, payload);
      SideEffects.record(dir, ctx, "kind=call i=" + i + " child=" + child.runId() + " existing=" + child.existing());
      children.add(child);
    }
    for (ChildRun child : children) {
      RunResult r = child.await();
      if (r.status() != RunStatus.SUCCEEDED) {
        throw new PermanentFailure("child " + r.runId() + " ended " + r.status());
      }
    }
    SideEffects.record(dir, ctx, "kind=children-done");
    return ctx.step(FAILING_STEP, JsonNode.class, () -> {
      SideEffects.record(dir, ctx, "kind=step name=" + FAILING_STEP);
      throw new PermanentFailure(FAILURE);
    });
  };

  static final BlockingWorker WAITING_CHILD = ctx -> {
    Path dir = Path.of(ctx.payload().get("dir").asText());
    int i = ctx.payload().get("i").asInt();
    SideEffects.record(dir, ctx, "kind=child-start i=" + i);
    while (!Files.exists(dir.resolve("release"))) {
      ctx.sleep(Duration.ofMillis(100)); // throws once the attempt is cancelled
    }
    return ctx.newObject().put("i", i);
  };

  @Override
  public void install(WorkerRegistrar registrar) {
    registrar.registerBlocking(PARENT, PARENT_CONFIG, SAGA);
    registrar.registerBlocking(CHILD, CHILD_CONFIG, WAITING_CHILD);
  }
}
