package dev.troupe.persistence;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.troupe.api.UnknownRunException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

class RunIdsTest {
  private static final Pattern ULID = Pattern.compile("[0-9A-HJKMNP-TV-Z]{26}");
  private static final long NOW = 1_795_000_000_000L; // 2026-11-18

  @Test
  void idIsAUlidThenTheWorkerName() {
    // given
    String entity = RunIds.entityId("send-email", 0);

    // when
    String runId = RunIds.newRunId(entity, NOW);

    // then
    assertThat(entity).isEqualTo("send-email");
    assertThat(runId).hasSize(26 + 1 + "send-email".length()).endsWith("-send-email");
    assertThat(runId.substring(0, 26)).matches(ULID);
    assertThat(runId.charAt(26)).isEqualTo('-');
  }

  @Test
  void idOfAPartitionEndsWithTheNameDotK() {
    // given
    String entity = RunIds.entityId("send-email", 3);

    // when
    String runId = RunIds.newRunId(entity, NOW);

    // then
    assertThat(entity).isEqualTo("send-email#3");
    assertThat(runId.substring(26)).isEqualTo("-send-email.3");
    assertThat(runId.substring(0, 26)).matches(ULID);
  }

  @Test
  void entityOfRoundTripsForPartitionZeroAndK() {
    // given
    String p0 = RunIds.entityId("resize-image-2", 0);
    String p7 = RunIds.entityId("resize-image-2", 7);
    String p1234 = RunIds.entityId("a", 1234);

    // when
    String of0 = RunIds.entityOf(RunIds.newRunId(p0, NOW));
    String of7 = RunIds.entityOf(RunIds.newRunId(p7, NOW));
    String of1234 = RunIds.entityOf(RunIds.newRunId(p1234, NOW));

    // then
    assertThat(of0).isEqualTo("resize-image-2");
    assertThat(of7).isEqualTo("resize-image-2#7");
    assertThat(of1234).isEqualTo("a#1234");
    assertThat(RunIds.workerOf(of7)).isEqualTo("resize-image-2");
    assertThat(RunIds.workerOf(of0)).isEqualTo("resize-image-2");
  }

  @Test
  void entityOfAcceptsTheLongestWorkerName() {
    // given
    String name = "a" + "-".repeat(61) + "z";
    String runId = RunIds.newRunId(RunIds.entityId(name, 2), NOW);

    // when
    String entity = RunIds.entityOf(runId);

    // then
    assertThat(name).hasSize(63);
    assertThat(entity).isEqualTo(name + "#2");
  }

  @Test
  void timePartEncodesTheMillisecondsInCrockfordBase32() {
    // given
    long millis = 1_469_918_176_385L; // the ULID spec's example: 01ARYZ6S41

    // when
    String runId = RunIds.newRunId("w", millis);

    // then
    assertThat(runId).startsWith("01ARYZ6S41");
    assertThat(RunIds.newRunId("w", 0)).startsWith("0000000000");
  }

  @Test
  void idsCreatedLaterSortAfterEarlierOnes() {
    // given
    List<String> ids = new ArrayList<>();
    long[] times = {NOW, NOW + 1, NOW + 2, NOW + 31, NOW + 32, NOW + 1024, NOW + 86_400_000L};

    // when
    for (long t : times) {
      ids.add(RunIds.newRunId(t % 2 == 0 ? "zeta" : "alpha#1", t));
    }

    // then
    assertThat(ids).isSorted().doesNotHaveDuplicates();
  }

  @Test
  void idsOfTheSameMillisecondDiffer() {
    // given
    Set<String> ids = new HashSet<>();

    // when
    for (int i = 0; i < 1000; i++) {
      ids.add(RunIds.newRunId("w", NOW));
    }

    // then
    String timePart = RunIds.newRunId("w", NOW).substring(0, 10);
    assertThat(ids).hasSize(1000).allSatisfy(id -> assertThat(id).startsWith(timePart));
  }

  @ParameterizedTest
  @NullAndEmptySource
  @ValueSource(strings = {
      "01jd3q7r8v3k5m9w2x4y6z8a0b-send-email", // lowercase ULID
      "01JD3Q7R8V3K5M9W2X4Y6Z8A0-send-email", // 25 characters
      "01JD3Q7R8V3K5M9W2X4Y6Z8A0BC-send-email", // 27 characters
      "01JD3Q7R8V3K5M9W2X4Y6Z8A0I-send-email", // I is not Crockford base32
      "01JD3Q7R8V3K5M9W2X4Y6Z8A0B", // no worker name
      "01JD3Q7R8V3K5M9W2X4Y6Z8A0B-", // empty worker name
      "01JD3Q7R8V3K5M9W2X4Y6Z8A0B-Send-Email", // uppercase name
      "01JD3Q7R8V3K5M9W2X4Y6Z8A0B--send-email", // name starting with '-'
      "01JD3Q7R8V3K5M9W2X4Y6Z8A0B-send_email", // '_' in the name
      "01JD3Q7R8V3K5M9W2X4Y6Z8A0B-send-email#3", // entity id instead of run id form
      "01JD3Q7R8V3K5M9W2X4Y6Z8A0B-send-email.", // partition without number
      "01JD3Q7R8V3K5M9W2X4Y6Z8A0B-send-email.12345", // partition too long
      "01JD3Q7R8V3K5M9W2X4Y6Z8A0Bsend-email", // no separator
      " 01JD3Q7R8V3K5M9W2X4Y6Z8A0B-send-email", // leading blank
      "01JD3Q7R8V3K5M9W2X4Y6Z8A0B-send-email\n" // trailing newline
  })
  void malformedIdIsAnUnknownRunNamingTheExpectedForm(String runId) {
    // when / then
    assertThatThrownBy(() -> RunIds.entityOf(runId))
        .isInstanceOf(UnknownRunException.class)
        .hasMessageContaining("malformed run id")
        .hasMessageContaining("26-character ULID")
        .hasMessageContaining("worker name");
  }

  @Test
  void tooLongWorkerNameIsAnUnknownRun() {
    // given
    String runId = "01JD3Q7R8V3K5M9W2X4Y6Z8A0B-" + "a".repeat(64);

    // when / then
    assertThatThrownBy(() -> RunIds.entityOf(runId))
        .isInstanceOf(UnknownRunException.class)
        .hasMessageContaining("'" + runId + "'");
  }
}
