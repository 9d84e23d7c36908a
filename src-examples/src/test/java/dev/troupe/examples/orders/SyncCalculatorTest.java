package dev.troupe.examples.orders;

import static org.assertj.core.api.Assertions.assertThat;

import dev.troupe.api.RunStatus;
import dev.troupe.examples.orders.SyncCalculator.Totals;
import dev.troupe.examples.testing.InstalledJobs;
import dev.troupe.testkit.TestOutcome;
import org.junit.jupiter.api.Test;

class SyncCalculatorTest {
  private final InstalledJobs jobs = InstalledJobs.of(new SyncCalculator());

  @Test
  void addsEightPercentTaxToTheSubtotal() {
    // when
    TestOutcome outcome = jobs.run("sync-calculator", jobs.context("sync-calculator")
        .payloadJson("{\"items\":[{\"price\":10,\"quantity\":3},{\"price\":20,\"quantity\":1}]}")
        .build());
    // then
    assertThat(outcome.status()).isEqualTo(RunStatus.SUCCEEDED);
    Totals totals = outcome.resultAs(Totals.class);
    assertThat(totals.subtotal()).isEqualTo(50.0);
    assertThat(totals.tax()).isCloseTo(4.0, org.assertj.core.data.Offset.offset(1e-9));
    assertThat(totals.total()).isCloseTo(54.0, org.assertj.core.data.Offset.offset(1e-9));
  }

  @Test
  void noItemsCostNothing() {
    // when
    TestOutcome outcome = jobs.run("sync-calculator",
        jobs.context("sync-calculator").payloadJson("{}").build());
    // then
    assertThat(outcome.resultAs(Totals.class)).isEqualTo(new Totals(0, 0, 0));
  }
}
