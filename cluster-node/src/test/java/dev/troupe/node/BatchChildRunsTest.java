package dev.troupe.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.troupe.api.BatchWorker;
import dev.troupe.api.ErrorCode;
import dev.troupe.api.RetryPolicy;
import dev.troupe.api.RunEvent;
import dev.troupe.api.RunHandle;
import dev.troupe.api.RunResult;
import dev.troupe.api.RunStatus;
import dev.troupe.api.TransientFailure;
import dev.troupe.api.WorkerConfig;
import dev.troupe.api.WorkerContext;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.IntStream;
import org.apache.pekko.actor.testkit.typed.javadsl.LogCapturingExtension;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.stream.javadsl.Sink;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A batch worker whose batches are child runs ({@code BatchWorker.parallelism} above 0), end to
 * end on a real node (H2): children of {@code <name>-part}, bounded, resumed, cancelled, failing.
 */
@ExtendWith(LogCapturingExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BatchChildRunsTest {
  private static final JsonNodeFactory JSON = JsonNodeFactory.instance;
  private static final AtomicInteger names = new AtomicInteger();
  private static final WorkerConfig TWO_QUICK_ATTEMPTS = WorkerConfig.DEFAULT.withRetry(
      RetryPolicy.of(2, Duration.ofMillis(20), Duration.ofMillis(20)));
  private static final WorkerConfig PARTS = WorkerConfig.DEFAULT.withMaxConcurrent(16);
  private static final String NODE = "troupe.history.batch-window = 20ms";

  private ActorSystem<Void> system;
  private TroupeNode troupe;
  private final List<ActorSystem<Void>> restarted = new ArrayList<>();

  /** How many batches, how many at once. */
  record Job(int batches, int parallel) {}

  record Next(int index) {}

  /**
   * Batches 0..n-1, each a short wait in its child run, counting its executions and the most
   * running at once; batch {@code failAt} throws what {@code classify} makes permanent
   * ("bad-batch"); batches from {@code slowFrom} wait until it changes or they are cancelled.
   */
  static final class Counted implements BatchWorker<Job, Integer, Next, ObjectNode> {
    final Map<Integer, AtomicInteger> executions = new ConcurrentHashMap<>();
    final AtomicInteger running = new AtomicInteger();
    final AtomicInteger mostAtOnce = new AtomicInteger();
    volatile int failAt = -1;
    volatile int slowFrom = Integer.MAX_VALUE;
    volatile boolean failFirstFinish;

    @Override
    public int parallelism(Job job) {
      return job.parallel();
    }

    @Override
    public List<Integer> batches(Job job, Next last) {
      return IntStream.range(0, job.batches()).boxed().toList();
    }

    @Override
    public Next process(Integer batch, WorkerContext ctx) {
      executions.computeIfAbsent(batch, b -> new AtomicInteger()).incrementAndGet();
      mostAtOnce.accumulateAndGet(running.incrementAndGet(), Math::max);
      try {
        if (batch == failAt) {
          throw new IllegalStateException("batch " + batch + " is bad");
        }
        ctx.sleep(Duration.ofMillis(30));
        while (batch >= slowFrom) {
          ctx.sleep(Duration.ofMillis(20)); // the simulated long batch, ended by a cancel
        }
        return new Next(batch + 1);
      } finally {
        running.decrementAndGet();
      }
    }

    @Override
    public ObjectNode finish(BatchSummary<Job, Next> s, WorkerContext ctx) {
      if (failFirstFinish && ctx.attempt() == 1) {
        throw new TransientFailure("the parent's attempt is lost after its batches, say");
      }
      ObjectNode out = JSON.objectNode().put("batches", s.batches())
          .put("resumedFrom", s.resumedFrom()).put("last", s.lastCheckpoint().index());
      s.checkpoints().forEach(c -> out.withArray("checkpoints").add(c.index()));
      return out;
    }

    @Override
    public BatchFailure classify(Throwable error) {
      return error instanceof IllegalStateException ? BatchFailure.permanent("bad-batch")
          : BatchWorker.super.classify(error);
    }

    int executionsOf(int batch) {
      return executions.getOrDefault(batch, new AtomicInteger()).get();
    }

    int allExecutions() {
      return executions.values().stream().mapToInt(AtomicInteger::get).sum();
    }
  }

  @BeforeAll
  void startNode() {
    system = TestNodes.system(TestNodes.config(TestNodes.newH2Url(), NODE));
    troupe = TroupeNode.start(system);
  }

  @AfterAll
  void stopNode() {
    Await.result(troupe.shutdown());
  }

  @AfterEach
  void stopRestarted() {
    restarted.forEach(ActorSystem::terminate);
    restarted.forEach(s -> Await.result(s.getWhenTerminated(), 60));
    restarted.clear();
  }

  private static String uniqueName(String base) {
    return base + "-" + names.incrementAndGet();
  }

  private static ObjectNode job(int batches, int parallel) {
    return JSON.objectNode().put("batches", batches).put("parallel", parallel);
  }

  /** The run as the history shows it, once it lists {@code children} children. */
  private static RunResult withChildren(TroupeNode node, String runId, int children) {
    AtomicReference<RunResult> found = new AtomicReference<>();
    await().atMost(Duration.ofSeconds(10)).until(() -> {
      found.set(Await.result(node.lookup(runId)).orElseThrow());
      return found.get().children().size() == children;
    });
    return found.get();
  }

  private static List<JsonNode> messages(TroupeNode node, String runId) {
    return Await.result(node.attach(runId).messages().runWith(Sink.seq(), node.system())).stream()
        .filter(e -> e.type().equals(RunEvent.MESSAGE)).map(RunEvent::data).toList();
  }

  @Test
  void theBatchesAreChildRunsOfThePartAtMostTheParallelismAtOnceTheirCheckpointsGathered() {
    // given 8 batches, 3 at once, the part's definition allowing 16
    String name = uniqueName("parallel-batches");
    Counted worker = new Counted();
    troupe.batch(name, Job.class, WorkerConfig.DEFAULT, worker, PARTS);

    // when
    RunResult p = Await.result(troupe.run(name, job(8, 3)));

    // then
    assertThat(p.status()).isEqualTo(RunStatus.SUCCEEDED);
    assertThat(p.result().get("checkpoints")).extracting(JsonNode::asInt)
        .containsExactly(1, 2, 3, 4, 5, 6, 7, 8);
    assertThat(p.result().get("last").asInt()).isEqualTo(8);
    assertThat(p.result().get("resumedFrom").asInt()).isZero();
    assertThat(worker.mostAtOnce.get()).isBetween(1, 3);
    assertThat(IntStream.range(0, 8).map(worker::executionsOf)).containsOnly(1);
    for (String childId : withChildren(troupe, p.runId(), 8).children()) {
      RunResult child = Await.result(troupe.lookup(childId)).orElseThrow();
      assertThat(child.worker()).isEqualTo(name + "-part");
      assertThat(child.parentRunId()).isEqualTo(p.runId());
      assertThat(child.status()).isEqualTo(RunStatus.SUCCEEDED);
    }
    assertThat(messages(troupe, p.runId())).extracting(m -> m.get("batch").asInt())
        .containsExactly(1, 2, 3, 4, 5, 6, 7, 8);
    assertThat(messages(troupe, p.runId()).get(7))
        .isEqualTo(JSON.objectNode().put("progress", 100).put("batch", 8).put("of", 8));
  }

  @Test
  void aRetriedParentFindsItsSucceededBatchesAndDoesNotRunThemAgain() {
    // given a parent whose first attempt fails transiently once its 5 batches are done
    String name = uniqueName("retried-batches");
    Counted worker = new Counted();
    worker.failFirstFinish = true;
    troupe.batch(name, Job.class, TWO_QUICK_ATTEMPTS, worker, PARTS);

    // when
    RunResult p = Await.result(troupe.run(name, job(5, 2)));

    // then the second attempt found every child succeeded
    assertThat(p.status()).isEqualTo(RunStatus.SUCCEEDED);
    assertThat(p.attempts()).isEqualTo(2);
    assertThat(p.result().get("resumedFrom").asInt()).isEqualTo(5);
    assertThat(p.result().get("checkpoints")).extracting(JsonNode::asInt)
        .containsExactly(1, 2, 3, 4, 5);
    assertThat(worker.allExecutions()).isEqualTo(5);
    assertThat(withChildren(troupe, p.runId(), 5).children()).hasSize(5);
  }

  @Test
  void aParentResumedOnARestartedNodeDoesNotRunTheBatchesThatHadSucceeded() {
    // given 6 batches, 2 at once: the first two succeeded, the next two still run when the
    // parent's node crashes
    String db = TestNodes.newH2Url();
    String crash = NODE + "\npekko.coordinated-shutdown.run-by-actor-system-terminate = off";
    TroupeNode first = startOn(db, crash);
    Counted worker = new Counted();
    worker.slowFrom = 2;
    first.batch("resumed-batches", Job.class, WorkerConfig.DEFAULT, worker, PARTS);
    RunHandle h = Await.result(first.call("resumed-batches", job(6, 2)));
    await().atMost(Duration.ofSeconds(20))
        .until(() -> worker.executionsOf(2) == 1 && worker.executionsOf(3) == 1);
    first.system().terminate();
    Await.result(first.system().getWhenTerminated(), 60);

    // when another node starts on the same database
    worker.slowFrom = Integer.MAX_VALUE;
    TroupeNode second = startOn(db, NODE);
    second.batch("resumed-batches", Job.class, WorkerConfig.DEFAULT, worker, PARTS);
    RunResult p = Await.result(second.attach(h.runId()).result(), 60);

    // then the parent goes on with the same children: those that had succeeded did not run again
    assertThat(p.status()).isEqualTo(RunStatus.SUCCEEDED);
    assertThat(p.result().get("resumedFrom").asInt()).isBetween(2, 4);
    assertThat(p.result().get("checkpoints")).extracting(JsonNode::asInt)
        .containsExactly(1, 2, 3, 4, 5, 6);
    assertThat(worker.executionsOf(0)).isEqualTo(1);
    assertThat(worker.executionsOf(1)).isEqualTo(1);
    assertThat(IntStream.range(0, 6).map(worker::executionsOf)).allMatch(n -> n >= 1);
    assertThat(withChildren(second, p.runId(), 6).children()).hasSize(6);
  }

  private TroupeNode startOn(String db, String extra) {
    ActorSystem<Void> s = TestNodes.system(TestNodes.config(db, extra));
    restarted.add(s);
    return TroupeNode.start(s);
  }

  @Test
  void aCancelledParentStartsNoMoreBatchesAndItsRunningChildrenAreCancelled() {
    // given 10 long batches, 2 at once, both running
    String name = uniqueName("cancelled-batches");
    Counted worker = new Counted();
    worker.slowFrom = 0;
    troupe.batch(name, Job.class, WorkerConfig.DEFAULT, worker, PARTS);
    RunHandle p = Await.result(troupe.call(name, job(10, 2)));
    await().atMost(Duration.ofSeconds(10)).until(() -> worker.running.get() == 2);

    // when
    Await.result(p.cancel());

    // then
    assertThat(Await.result(p.result()).status()).isEqualTo(RunStatus.CANCELLED);
    List<String> children = withChildren(troupe, p.runId(), 2).children();
    for (String childId : children) {
      assertThat(Await.result(troupe.attach(childId).result()).status())
          .isEqualTo(RunStatus.CANCELLED);
    }
    assertThat(worker.allExecutions()).isEqualTo(2);
  }

  @Test
  void aBatchThatFailsForGoodFailsTheParentWithItsLabelNamingTheBatchAndTheChild() {
    // given 4 batches one at a time, the third failing with what the worker calls permanent
    String name = uniqueName("failing-batches");
    Counted worker = new Counted();
    worker.failAt = 2;
    troupe.batch(name, Job.class, TWO_QUICK_ATTEMPTS, worker, TWO_QUICK_ATTEMPTS);

    // when
    RunResult p = Await.result(troupe.run(name, job(4, 1)));

    // then the child failed at once, and so did its parent, with the child's label
    List<String> children = withChildren(troupe, p.runId(), 3).children();
    RunResult failed = children.stream()
        .map(id -> Await.result(troupe.lookup(id)).orElseThrow())
        .filter(c -> c.status() == RunStatus.FAILED).findFirst().orElseThrow();
    assertThat(failed.attempts()).isEqualTo(1);
    assertThat(failed.error().label()).isEqualTo("bad-batch");
    assertThat(p.status()).isEqualTo(RunStatus.FAILED);
    assertThat(p.attempts()).isEqualTo(1);
    assertThat(p.error().code()).isEqualTo(ErrorCode.PERMANENT_ERROR);
    assertThat(p.error().label()).isEqualTo("bad-batch");
    assertThat(p.error().message())
        .startsWith("batch 3 of 4 failed: its child run " + failed.runId() + " of " + name
            + "-part ended FAILED")
        .contains("IllegalStateException: batch 2 is bad");
    assertThat(worker.executionsOf(3)).isZero();
  }
}
