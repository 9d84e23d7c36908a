package dev.troupe.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Re-runs and schedules through the client against a real node with tokens: what each call
 * returns, what it does to the runs, and the typed errors of its refusals.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RerunsAndSchedulesTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration WAIT = Duration.ofSeconds(30);

  private TestNode node;
  private TroupeClient admin;
  private TroupeClient client;

  @BeforeAll
  void start() {
    node = TestNode.start(TestNode.newH2Url(), 0,
        "troupe.http { client-tokens = \"client-secret\", admin-tokens = \"admin-secret\" }");
    admin = TroupeClient.builder().baseUrls(node.url()).token("admin-secret").build();
    client = TroupeClient.builder().baseUrls(node.url()).token("client-secret").build();
  }

  @AfterAll
  void stop() {
    if (node != null) {
      node.close();
    }
  }

  @Test
  void aFinishedRunIsRerunAsANewRunWithItsPayloadThatNamesIt() {
    // given
    Run first = admin.callAndWait("echo", Map.of("again", 1), WAIT);
    // when
    Rerun rerun = admin.rerun(first.runId());
    // then
    assertThat(rerun.rerunOf()).isEqualTo(first.runId());
    assertThat(rerun.worker()).isEqualTo("echo");
    assertThat(rerun.runId()).isNotEqualTo(first.runId());
    Run second = admin.awaitResult(rerun.runId(), WAIT);
    assertThat(second.status()).isEqualTo(RunStatus.SUCCEEDED);
    assertThat(second.result()).isEqualTo(JSON.createObjectNode().put("again", 1));
    assertThat(second.rerunOf()).isEqualTo(first.runId());
  }

  @Test
  void aRunThatHasNotFinishedOrDoesNotExistOrAClientTokenIsRefused() {
    // given
    RunRef going = admin.call("slow", Map.of("ms", 60_000));
    try {
      // then
      assertThatThrownBy(() -> admin.rerun(going.runId()))
          .isInstanceOfSatisfying(ConflictException.class,
              e -> assertThat(e.code()).isEqualTo("RUN_NOT_FINISHED"));
      assertThatThrownBy(() -> admin.rerun("01JD3Q7R8V3K5M9W2X4Y6Z8A0B-echo"))
          .isInstanceOfSatisfying(NotFoundException.class,
              e -> assertThat(e.code()).isEqualTo("UNKNOWN_RUN"));
      assertThatThrownBy(() -> client.rerun(going.runId()))
          .isInstanceOfSatisfying(AccessDeniedException.class,
              e -> assertThat(e.status()).isEqualTo(403));
      assertThatThrownBy(() -> admin.rerunFailed("nobody", null))
          .isInstanceOf(NotFoundException.class);
    } finally {
      admin.cancel(going.runId());
    }
  }

  @Test
  void aWorkersFailedRunsSinceAnInstantAreRerun() {
    // given two failed runs, listed in the run history
    Instant before = Instant.now();
    List<String> failed = new ArrayList<>();
    for (int i = 0; i < 2; i++) {
      Run r = admin.callAndWait("fail", Map.of("i", i), WAIT);
      assertThat(r.status()).isEqualTo(RunStatus.FAILED);
      failed.add(r.runId());
    }
    await().atMost(WAIT).untilAsserted(() -> assertThat(admin.runs(
            RunQuery.ALL.worker("fail").status(RunStatus.FAILED).limit(100)).runs())
        .extracting(Run::runId).containsAll(failed));
    // when
    int none = admin.rerunFailed("fail", Instant.now().plusSeconds(60));
    int rerun = admin.rerunFailed("fail", before);
    // then
    assertThat(none).isZero();
    assertThat(rerun).isEqualTo(2);
    await().atMost(WAIT).untilAsserted(() -> {
      Set<String> rerunOf = admin.runs(RunQuery.ALL.worker("fail").limit(100)).runs().stream()
          .map(Run::rerunOf).filter(id -> id != null).collect(Collectors.toSet());
      assertThat(rerunOf).containsExactlyInAnyOrderElementsOf(failed);
    });
  }

  @Test
  void aScheduleIsPutReadListedPausedResumedAndDeleted() {
    // given
    ScheduleSpec spec = ScheduleSpec.of("echo", "0 30 2 * * *").withTimezone("Europe/Berlin")
        .withPayload(Map.of("nightly", true)).withMisfire(Misfire.RUN_ONCE).withPriority(7);
    // when
    Schedule put = admin.schedules().put("nightly", spec);
    // then
    assertThat(put.name()).isEqualTo("nightly");
    assertThat(put.worker()).isEqualTo("echo");
    assertThat(put.cron()).isEqualTo("0 30 2 * * *");
    assertThat(put.timezone()).isEqualTo("Europe/Berlin");
    assertThat(put.payload()).isEqualTo(JSON.createObjectNode().put("nightly", true));
    assertThat(put.misfire()).isEqualTo(Misfire.RUN_ONCE);
    assertThat(put.priority()).isEqualTo(7);
    assertThat(put.paused()).isFalse();
    assertThat(put.recentRuns()).isEmpty();
    assertThat(put.nextFireTimes()).isNotEmpty().isSorted();
    assertThat(put.nextFireTimes().get(0)).isAfter(Instant.now());
    assertThat(client.schedules().get("nightly")).isEqualTo(put);
    assertThat(client.schedules().list()).extracting(Schedule::name).contains("nightly");

    // when
    Schedule paused = admin.schedules().pause("nightly");
    Schedule pausedAgain = admin.schedules().pause("nightly");
    // then
    assertThat(paused.paused()).isTrue();
    assertThat(paused.nextFireTimes()).isEmpty();
    assertThat(pausedAgain).isEqualTo(paused);

    // when
    Schedule resumed = admin.schedules().resume("nightly");
    // then
    assertThat(resumed.paused()).isFalse();
    assertThat(resumed.nextFireTimes()).isNotEmpty();

    // when
    admin.schedules().delete("nightly");
    // then
    assertThatThrownBy(() -> client.schedules().get("nightly"))
        .isInstanceOfSatisfying(NotFoundException.class,
            e -> assertThat(e.code()).isEqualTo("UNKNOWN_SCHEDULE"));
    assertThatThrownBy(() -> admin.schedules().delete("nightly"))
        .isInstanceOf(NotFoundException.class);
    assertThat(client.schedules().list()).extracting(Schedule::name).doesNotContain("nightly");
  }

  @Test
  void aTriggeredScheduleStartsARunListedAmongItsRecentRuns() {
    // given a schedule that would fire once a year, paused
    admin.schedules().put("yearly", ScheduleSpec.of("echo", "0 0 3 1 1 *")
        .withPayload(Map.of("triggered", true)));
    admin.schedules().pause("yearly");
    // when
    RunRef ref = client.schedules().trigger("yearly");
    // then
    Run run = client.awaitResult(ref.runId(), WAIT);
    assertThat(run.status()).isEqualTo(RunStatus.SUCCEEDED);
    assertThat(run.result()).isEqualTo(JSON.createObjectNode().put("triggered", true));
    await().atMost(WAIT).untilAsserted(() -> assertThat(client.schedules().get("yearly")
        .recentRuns()).anySatisfy(r -> {
          assertThat(r.runId()).isEqualTo(ref.runId());
          assertThat(r.fireTime()).isNotNull();
          assertThat(r.status()).isEqualTo(RunStatus.SUCCEEDED);
        }));
    admin.schedules().delete("yearly");
  }

  @Test
  void aScheduleEverySecondFiresRunsOfItsWorker() {
    // when
    admin.schedules().put("every-second", ScheduleSpec.of("echo", "*/1 * * * * *"));
    // then
    try {
      await().atMost(WAIT).untilAsserted(() -> assertThat(client.schedules().get("every-second")
          .recentRuns()).filteredOn(r -> r.status() == RunStatus.SUCCEEDED).hasSizeGreaterThan(1));
    } finally {
      admin.schedules().delete("every-second");
    }
  }

  @Test
  void refusedSchedulesAreTypedErrors() {
    assertThatThrownBy(() -> admin.schedules().put("bad-cron", ScheduleSpec.of("echo", "every day")))
        .isInstanceOfSatisfying(InvalidRequestException.class,
            e -> assertThat(e.code()).isEqualTo("INVALID_REQUEST"));
    assertThatThrownBy(() -> admin.schedules().put("no-worker", ScheduleSpec.of("nobody", "0 0 3 * * *")))
        .isInstanceOfSatisfying(NotFoundException.class,
            e -> assertThat(e.code()).isEqualTo("UNKNOWN_WORKER"));
    assertThatThrownBy(() -> client.schedules().put("by-client", ScheduleSpec.of("echo", "0 0 3 * * *")))
        .isInstanceOfSatisfying(AccessDeniedException.class,
            e -> assertThat(e.status()).isEqualTo(403));
    assertThatThrownBy(() -> client.schedules().trigger("no-such-schedule"))
        .isInstanceOf(NotFoundException.class);
    assertThatThrownBy(() -> admin.schedules().pause("no-such-schedule"))
        .isInstanceOf(NotFoundException.class);
  }
}
