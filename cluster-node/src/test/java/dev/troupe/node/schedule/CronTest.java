package dev.troupe.node.schedule;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.troupe.api.InvalidArgumentException;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class CronTest {
  private static final ZoneId BERLIN = ZoneId.of("Europe/Berlin");

  @Test
  void sixFieldsHaveSecondsFirst() {
    // when
    Cron c = Cron.parse("*/2 * * * * *", ZoneOffset.UTC);

    // then
    assertThat(c.nextTimes(Instant.parse("2026-12-07T12:00:00Z"), 3)).containsExactly(
        Instant.parse("2026-12-07T12:00:02Z"), Instant.parse("2026-12-07T12:00:04Z"),
        Instant.parse("2026-12-07T12:00:06Z"));
  }

  @Test
  void fireTimesAreWholeSecondsAfterAnInstantWithMilliseconds() {
    Cron c = Cron.parse("*/1 * * * * *", ZoneOffset.UTC);
    assertThat(c.nextTimes(Instant.parse("2026-12-07T12:00:00.191Z"), 2)).containsExactly(
        Instant.parse("2026-12-07T12:00:01Z"), Instant.parse("2026-12-07T12:00:02Z"));
  }

  @Test
  void fiveFieldsAreUnixCronInTheTimezone() {
    // when
    Cron c = Cron.parse("30 9 * * 1-5", BERLIN);

    // then Monday 7 December 2026, 09:30 in Berlin (CET, UTC+1)
    assertThat(c.next(Instant.parse("2026-12-06T12:00:00Z")))
        .contains(Instant.parse("2026-12-07T08:30:00Z"));
  }

  @Test
  void aDailyTimeInTheSpringForwardGapFiresOnceThatDayShiftedByTheGap() {
    // given 02:30 every day; on 29 March 2026 Berlin's clocks jump from 02:00 to 03:00
    Cron c = Cron.parse("0 30 2 * * *", BERLIN);

    // when
    var times = c.nextTimes(Instant.parse("2026-03-28T12:00:00Z"), 3);

    // then 03:30 CEST that day, then 02:30 CEST
    assertThat(times).containsExactly(Instant.parse("2026-03-29T01:30:00Z"),
        Instant.parse("2026-03-30T00:30:00Z"), Instant.parse("2026-03-31T00:30:00Z"));
  }

  @Test
  void aDailyTimeInTheAutumnOverlapFiresOnce() {
    // given 02:30 every day; on 25 October 2026 Berlin's 02:00 to 03:00 happens twice
    Cron c = Cron.parse("0 30 2 * * *", BERLIN);

    // when
    var times = c.nextTimes(Instant.parse("2026-10-24T12:00:00Z"), 2);

    // then at its first occurrence (CEST) only, then 02:30 CET
    assertThat(times).containsExactly(Instant.parse("2026-10-25T00:30:00Z"),
        Instant.parse("2026-10-26T01:30:00Z"));
  }

  @Test
  void theLatestFireTimeAtOrBeforeAnInstant() {
    Cron c = Cron.parse("0 * * * * *", ZoneOffset.UTC);
    assertThat(c.latestAtOrBefore(Instant.parse("2026-12-07T12:09:30Z")))
        .contains(Instant.parse("2026-12-07T12:09:00Z"));
    assertThat(c.latestAtOrBefore(Instant.parse("2026-12-07T12:09:00Z")))
        .contains(Instant.parse("2026-12-07T12:09:00Z"));
  }

  @Test
  void anInvalidExpressionIsRefusedNamingIt() {
    assertThatThrownBy(() -> Cron.parse("61 * * * * *", ZoneOffset.UTC))
        .isInstanceOf(InvalidArgumentException.class)
        .hasMessageContaining("invalid cron expression '61 * * * * *'");
    assertThatThrownBy(() -> Cron.parse("* * *", ZoneOffset.UTC))
        .isInstanceOf(InvalidArgumentException.class)
        .hasMessageContaining("'* * *': it has 3 fields");
  }
}
