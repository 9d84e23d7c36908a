package dev.troupe.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.troupe.api.ChildOptions;
import dev.troupe.api.ChildRun;
import dev.troupe.api.ErrorCode;
import dev.troupe.api.PermanentFailure;
import dev.troupe.api.RetryPolicy;
import dev.troupe.api.RunHandle;
import dev.troupe.api.RunQuery;
import dev.troupe.api.RunResult;
import dev.troupe.api.RunStatus;
import dev.troupe.api.TransientFailure;
import dev.troupe.api.WorkerConfig;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.IntStream;
import org.apache.pekko.actor.testkit.typed.javadsl.LogCapturingExtension;
import org.apache.pekko.actor.typed.ActorSystem;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/** Child runs started by handlers ({@code ctx.call}), end to end on one real node (H2). */
@ExtendWith(LogCapturingExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ChildRunsTest {
  private static final JsonNodeFactory JSON = JsonNodeFactory.instance;
  private static final AtomicInteger names = new AtomicInteger();
  private static final WorkerConfig TWO_QUICK_ATTEMPTS = WorkerConfig.DEFAULT.withRetry(
      RetryPolicy.of(2, Duration.ofMillis(20), Duration.ofMillis(20)));

  private ActorSystem<Void> system;
  private TroupeNode troupe;

  @BeforeAll
  void startNode() {
    system = TestNodes.system(TestNodes.config(TestNodes.newH2Url(),
        "troupe.call.max-child-depth = 3\ntroupe.history.batch-window = 20ms"));
    troupe = TroupeNode.start(system);
  }

  @AfterAll
  void stopNode() {
    Await.result(troupe.shutdown());
  }

  private static String uniqueName(String base) {
    return base + "-" + names.incrementAndGet();
  }

  private static ObjectNode obj() {
    return JSON.objectNode();
  }

  private RunResult run(String worker, JsonNode payload) {
    return Await.result(troupe.run(worker, payload));
  }

  /** The run as {@code GET /api/v1/runs/{id}} shows it, once the history lists its children. */
  private RunResult withChildren(String runId, int children) {
    AtomicReference<RunResult> found = new AtomicReference<>();
    await().atMost(Duration.ofSeconds(10)).until(() -> {
      found.set(Await.result(troupe.lookup(runId)).orElseThrow());
      return found.get().children().size() == children;
    });
    return found.get();
  }

  @Test
  void aChildRunIsLinkedToItsParentBothWays() {
    // given a parent that calls a child and returns its result
    String child = uniqueName("double");
    String parent = uniqueName("parent");
    troupe.registerBlocking(child, WorkerConfig.DEFAULT,
        ctx -> obj().put("twice", ctx.payload().get("n").asInt() * 2));
    AtomicReference<String> childParent = new AtomicReference<>();
    troupe.registerBlocking(parent, WorkerConfig.DEFAULT, ctx -> {
      RunResult r = ctx.call(child, obj().put("n", 21)).await();
      childParent.set(r.parentRunId());
      return r.result();
    });
    // when
    RunResult p = run(parent, obj());
    // then the parent has the child's result, lists it, and the child names its parent
    assertThat(p.status()).isEqualTo(RunStatus.SUCCEEDED);
    assertThat(p.result()).isEqualTo(obj().put("twice", 42));
    assertThat(childParent.get()).isEqualTo(p.runId());
    String childId = withChildren(p.runId(), 1).children().get(0);
    RunResult c = Await.result(troupe.lookup(childId)).orElseThrow();
    assertThat(c.worker()).isEqualTo(child);
    assertThat(c.parentRunId()).isEqualTo(p.runId());
    assertThat(Await.result(troupe.runs(RunQuery.childrenOf(p.runId(), 10))).runs())
        .extracting(RunResult::runId).containsExactly(childId);
  }

  @Test
  void aRetriedParentFindsTheChildrenOfItsEarlierAttemptInsteadOfStartingThemAgain() {
    // given a parent whose first attempt fails after its children finished
    String child = uniqueName("count");
    String parent = uniqueName("retried-parent");
    AtomicInteger childExecutions = new AtomicInteger();
    troupe.registerBlocking(child, WorkerConfig.DEFAULT,
        ctx -> obj().put("execution", childExecutions.incrementAndGet()));
    List<String> seen = new CopyOnWriteArrayList<>();
    troupe.registerBlocking(parent, TWO_QUICK_ATTEMPTS, ctx -> {
      ChildRun first = ctx.call(child, obj());
      ChildRun second = ctx.call(child, obj(), ChildOptions.DEFAULT.named("second"));
      first.await();
      second.await();
      seen.add(first.runId() + "," + second.runId());
      if (ctx.attempt() == 1) {
        throw new TransientFailure("the parent's node died, say");
      }
      return obj().put("existing", first.existing() && second.existing());
    });
    // when
    RunResult p = run(parent, obj());
    // then the second attempt got the same two children back, finished, and none ran twice
    assertThat(p.status()).isEqualTo(RunStatus.SUCCEEDED);
    assertThat(p.attempts()).isEqualTo(2);
    assertThat(seen).hasSize(2).containsOnly(seen.get(0));
    assertThat(p.result()).isEqualTo(obj().put("existing", true));
    assertThat(childExecutions).hasValue(2);
    assertThat(withChildren(p.runId(), 2).children())
        .containsExactlyInAnyOrder(seen.get(0).split(","));
  }

  @Test
  void callAllAwaitsEveryChildInOrderWithAtMostTheParallelismRunningAtOnce() {
    // given children that take a while, and a parent fanning out 10 of them 3 at a time
    String child = uniqueName("slow-square");
    String parent = uniqueName("fan");
    AtomicInteger running = new AtomicInteger();
    AtomicInteger mostAtOnce = new AtomicInteger();
    troupe.registerBlocking(child, WorkerConfig.DEFAULT.withMaxConcurrent(20), ctx -> {
      mostAtOnce.accumulateAndGet(running.incrementAndGet(), Math::max);
      try {
        ctx.sleep(Duration.ofMillis(50));
        int i = ctx.payload().get("i").asInt();
        if (i == 7) {
          throw new PermanentFailure("seven fails");
        }
        return obj().put("square", i * i);
      } finally {
        running.decrementAndGet();
      }
    });
    troupe.registerBlocking(parent, WorkerConfig.DEFAULT, ctx -> {
      List<ObjectNode> payloads = IntStream.range(0, 10).mapToObj(i -> obj().put("i", i)).toList();
      List<RunResult> results = ctx.callAll(child, payloads, 3).toCompletableFuture().join();
      ObjectNode out = obj();
      out.putArray("statuses").addAll(results.stream()
          .map(r -> JSON.textNode(r.status().name())).toList());
      out.put("nine", results.get(9).result().get("square").asInt());
      return out;
    });
    // when
    RunResult p = run(parent, obj());
    // then
    assertThat(p.status()).isEqualTo(RunStatus.SUCCEEDED);
    assertThat(p.result().get("statuses")).extracting(JsonNode::asText).containsExactly(
        "SUCCEEDED", "SUCCEEDED", "SUCCEEDED", "SUCCEEDED", "SUCCEEDED", "SUCCEEDED",
        "SUCCEEDED", "FAILED", "SUCCEEDED", "SUCCEEDED");
    assertThat(p.result().get("nine").asInt()).isEqualTo(81);
    assertThat(mostAtOnce.get()).isBetween(1, 3);
    assertThat(withChildren(p.runId(), 10).children()).hasSize(10);
  }

  @Test
  void cancellingAParentCancelsItsUnfinishedChildrenButNotTheDetachedOnes() {
    // given a parent waiting on two long children, one of them detached
    String child = uniqueName("long");
    String parent = uniqueName("cancelled-parent");
    troupe.registerBlocking(child, WorkerConfig.DEFAULT.withMaxConcurrent(4), ctx -> {
      ctx.sleep(Duration.ofSeconds(ctx.payload().get("seconds").asInt()));
      return obj();
    });
    List<String> children = new CopyOnWriteArrayList<>();
    troupe.registerBlocking(parent, WorkerConfig.DEFAULT, ctx -> {
      ChildRun attached = ctx.call(child, obj().put("seconds", 60));
      ChildRun detached = ctx.call(child, obj().put("seconds", 1),
          ChildOptions.DEFAULT.detached());
      children.add(attached.runId());
      children.add(detached.runId());
      attached.await();
      return obj();
    });
    RunHandle p = Await.result(troupe.call(parent, obj()));
    await().atMost(Duration.ofSeconds(10)).until(() -> children.size() == 2);
    // when
    Await.result(p.cancel());
    // then
    assertThat(Await.result(p.result()).status()).isEqualTo(RunStatus.CANCELLED);
    assertThat(Await.result(troupe.attach(children.get(0)).result()).status())
        .isEqualTo(RunStatus.CANCELLED);
    assertThat(Await.result(troupe.attach(children.get(1)).result()).status())
        .isEqualTo(RunStatus.SUCCEEDED);
  }

  @Test
  void cancellingAParentBetweenAttemptsCancelsTheChildrenOfItsEarlierAttempts() {
    // given a parent whose first attempt started two children, one detached, then failed, and
    // which now waits ten minutes for its next attempt
    String child = uniqueName("long");
    String parent = uniqueName("retrying-parent");
    troupe.registerBlocking(child, WorkerConfig.DEFAULT.withMaxConcurrent(4), ctx -> {
      ctx.sleep(Duration.ofSeconds(60));
      return obj();
    });
    List<String> children = new CopyOnWriteArrayList<>();
    troupe.registerBlocking(parent, WorkerConfig.DEFAULT.withRetry(
        RetryPolicy.of(3, Duration.ofMinutes(10), Duration.ofMinutes(10))), ctx -> {
          children.add(ctx.call(child, obj()).runId());
          children.add(ctx.call(child, obj(), ChildOptions.DEFAULT.detached()).runId());
          throw new TransientFailure("the first attempt gives up after starting its children");
        });
    RunHandle p = Await.result(troupe.call(parent, obj()));
    await().atMost(Duration.ofSeconds(10)).until(() ->
        Await.result(troupe.lookup(p.runId())).orElseThrow().status() == RunStatus.RETRYING);
    await().atMost(Duration.ofSeconds(10)).until(() -> children.stream().allMatch(c ->
        Await.result(troupe.lookup(c)).orElseThrow().status() == RunStatus.RUNNING));

    // when
    Await.result(p.cancel());

    // then the attached child is cancelled, naming its parent; the detached one goes on
    assertThat(Await.result(p.result()).status()).isEqualTo(RunStatus.CANCELLED);
    RunResult attached = Await.result(troupe.attach(children.get(0)).result());
    assertThat(attached.status()).isEqualTo(RunStatus.CANCELLED);
    assertThat(attached.error().message()).contains("parent run " + p.runId());
    assertThat(Await.result(troupe.lookup(children.get(1))).orElseThrow().status())
        .isEqualTo(RunStatus.RUNNING);
    Await.result(troupe.attach(children.get(1)).cancel());
  }

  @Test
  void aRunCallingItsOwnAncestorsFailsAtTheConfiguredDepth() {
    // given a worker that calls itself and fails when its child failed
    String self = uniqueName("recursive");
    troupe.registerBlocking(self, WorkerConfig.DEFAULT.withMaxConcurrent(8), ctx -> {
      RunResult r = ctx.call(self, obj()).await();
      throw new PermanentFailure("child failed: " + r.error().message());
    });
    // when
    RunResult top = run(self, obj());
    // then runs 0, 1, 2 and 3 deep: the one 3 deep could not call (max-child-depth = 3)
    assertThat(top.status()).isEqualTo(RunStatus.FAILED);
    assertThat(top.error().code()).isEqualTo(ErrorCode.PERMANENT_ERROR);
    assertThat(top.error().message()).contains("is 3 child calls deep")
        .contains("troupe.call.max-child-depth = 3");
    String id = top.runId();
    for (int depth = 1; depth <= 3; depth++) {
      id = withChildren(id, 1).children().get(0);
    }
    RunResult deepest = withChildren(id, 0);
    assertThat(deepest.parentRunId()).isNotNull();
    assertThat(deepest.status()).isEqualTo(RunStatus.FAILED);
    assertThat(deepest.attempts()).as("a permanent failure: not retried").isEqualTo(1);
    assertThat(deepest.error().message()).contains("run " + id + " is 3 child calls deep");
  }

  @Test
  void callingAWorkerThatDoesNotExistFailsTheParentPermanentlyNamingIt() {
    // given a parent calling the child its payload names
    String parent = uniqueName("lost-parent");
    String child = uniqueName("found-child");
    troupe.registerBlocking(child, WorkerConfig.DEFAULT, ctx -> obj().put("found", true));
    troupe.registerBlocking(parent, TWO_QUICK_ATTEMPTS, ctx -> ctx.call(
        ctx.payload().get("child").asText(), obj()).await().result());
    // when one run of it names no registered worker, and another one does
    RunResult p = run(parent, obj().put("child", "no-such-worker"));
    RunResult sibling = run(parent, obj().put("child", child));
    // then that run alone fails, at once, naming the worker
    assertThat(p.status()).isEqualTo(RunStatus.FAILED);
    assertThat(p.attempts()).isEqualTo(1);
    assertThat(p.error().code()).isEqualTo(ErrorCode.PERMANENT_ERROR);
    assertThat(p.error().message()).contains("child call of no-such-worker")
        .contains("not registered");
    assertThat(sibling.status()).isEqualTo(RunStatus.SUCCEEDED);
    assertThat(sibling.result().get("found").asBoolean()).isTrue();
  }
}
