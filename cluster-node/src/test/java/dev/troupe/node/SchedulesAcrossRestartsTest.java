package dev.troupe.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.troupe.api.RunPage;
import dev.troupe.api.RunQuery;
import dev.troupe.api.RunResult;
import dev.troupe.api.Schedule;
import dev.troupe.api.ScheduleInfo;
import dev.troupe.api.WorkerConfig;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Schedules through the Java facade, across a restart of the whole cluster (one node, stopped and
 * started again on the same journal): they fire again without being asked, each fire time once,
 * and schedules declared in code are put at start.
 */
class SchedulesAcrossRestartsTest {
  private final List<TroupeNode> nodes = new ArrayList<>();

  private TroupeNode start(String db) {
    TroupeNode node = TroupeNode.start(TestNodes.system(TestNodes.config(db, "")));
    nodes.add(node);
    node.register("echo", WorkerConfig.DEFAULT,
        ctx -> CompletableFuture.completedFuture(ctx.payload()));
    return node;
  }

  private static void stop(TroupeNode node) throws Exception {
    node.system().terminate();
    node.system().getWhenTerminated().toCompletableFuture().get(60, TimeUnit.SECONDS);
  }

  @AfterEach
  void stopAll() {
    nodes.forEach(n -> n.system().terminate());
  }

  /** The fire times of the runs that schedule {@code name} started, from the run history. */
  private static List<Instant> fired(TroupeNode node, String name) throws Exception {
    RunPage page = node.runs(new RunQuery("echo", null, 500, null)).toCompletableFuture()
        .get(20, TimeUnit.SECONDS);
    return page.runs().stream().filter(r -> r.schedule() != null
        && r.schedule().name().equals(name)).map(r -> r.schedule().fireTime()).sorted().toList();
  }

  @Test
  void aScheduleFiresAgainAfterTheWholeClusterRestartedEachFireTimeOnce() throws Exception {
    // given a schedule every second that has fired
    String db = TestNodes.newH2Url();
    TroupeNode first = start(db);
    first.schedules().put(Schedule.of("ticking", "echo", "*/1 * * * * *"))
        .toCompletableFuture().get(20, TimeUnit.SECONDS);
    await().atMost(Duration.ofSeconds(30)).until(() -> fired(first, "ticking").size() >= 2);

    // when the only node stops and a new one starts on the same journal
    stop(first);
    Instant restarted = Instant.now();
    TroupeNode second = start(db);

    // then the schedule fires again by itself, and no fire time started two runs
    await().atMost(Duration.ofSeconds(30)).until(() ->
        fired(second, "ticking").stream().anyMatch(t -> t.isAfter(restarted)));
    List<Instant> times = fired(second, "ticking");
    assertThat(times).doesNotHaveDuplicates();
    second.schedules().delete("ticking").toCompletableFuture().get(20, TimeUnit.SECONDS);
  }

  @Test
  void aScheduleDeclaredInCodeIsPutAndReplacedWhenItChanges() throws Exception {
    // given a schedule declared in code on a node
    String db = TestNodes.newH2Url();
    TroupeNode first = start(db);
    first.schedule(Schedule.of("declared", "echo", "0 0 3 * * *"));
    await().until(() -> first.schedules().get("declared").toCompletableFuture().get()
        .isPresent());
    first.schedules().pause("declared").toCompletableFuture().get(20, TimeUnit.SECONDS);

    // when the next version of the node declares it differently
    stop(first);
    TroupeNode second = start(db);
    second.schedule(Schedule.of("declared", "echo", "0 0 4 * * *").withPriority(9));

    // then it is replaced, and keeps its paused flag
    await().untilAsserted(() -> {
      Optional<ScheduleInfo> info = second.schedules().get("declared").toCompletableFuture().get();
      assertThat(info).hasValueSatisfying(i -> {
        assertThat(i.schedule().cron()).isEqualTo("0 0 4 * * *");
        assertThat(i.schedule().priority()).isEqualTo(9);
        assertThat(i.paused()).isTrue();
      });
    });
    assertThat(second.schedules().list().toCompletableFuture().get(20, TimeUnit.SECONDS))
        .extracting(i -> i.schedule().name()).contains("declared");
  }

  @Test
  void aTriggeredRunIsLinkedToItsSchedule() throws Exception {
    // given
    TroupeNode node = start(TestNodes.newH2Url());
    node.schedules().put(Schedule.of("on-demand", "echo", "0 0 3 1 1 *"))
        .toCompletableFuture().get(20, TimeUnit.SECONDS);

    // when
    RunResult run = node.schedules().trigger("on-demand")
        .thenCompose(h -> h.result()).toCompletableFuture().get(20, TimeUnit.SECONDS);

    // then
    assertThat(run.schedule().name()).isEqualTo("on-demand");
    assertThat(run.priority()).isEqualTo(4);
  }
}
