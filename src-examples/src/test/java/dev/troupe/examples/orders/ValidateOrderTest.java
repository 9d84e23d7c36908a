package dev.troupe.examples.orders;

import static org.assertj.core.api.Assertions.assertThat;

import dev.troupe.api.ErrorCode;
import dev.troupe.api.RunStatus;
import dev.troupe.examples.testing.InstalledJobs;
import dev.troupe.testkit.TestOutcome;
import org.junit.jupiter.api.Test;

class ValidateOrderTest {
  private final InstalledJobs jobs = InstalledJobs.of(new ValidateOrder());

  private TestOutcome validate(String order) {
    return jobs.run("validate-order", jobs.context("validate-order").payloadJson(order).build());
  }

  @Test
  void aValidOrderPassesWithItsComputedTotal() {
    // when
    TestOutcome outcome = validate("{\"orderId\":\"o-1\",\"customerId\":\"c-1\",\"total\":25.0,"
        + "\"items\":[{\"productId\":\"p-1\",\"quantity\":2,\"price\":10},"
        + "{\"productId\":\"p-2\",\"quantity\":1,\"price\":5}],\"note\":\"ignored\"}");
    // then
    assertThat(outcome.status()).isEqualTo(RunStatus.SUCCEEDED);
    assertThat(outcome.result().path("calculatedTotal").asDouble()).isEqualTo(25.0);
    assertThat(outcome.result().path("itemCount").asInt()).isEqualTo(2);
    assertThat(outcome.result().path("validationStatus").asText()).isEqualTo("passed");
    assertThat(outcome.result().path("validatedOrder").path("orderId").asText()).isEqualTo("o-1");
  }

  @Test
  void aFieldOfTheWrongTypeIsNamedByItsPath() {
    // when
    TestOutcome outcome = validate("{\"orderId\":\"o-1\",\"customerId\":\"c-1\",\"items\":["
        + "{\"productId\":\"p-1\",\"quantity\":1,\"price\":1},"
        + "{\"productId\":\"p-2\",\"quantity\":\"two\",\"price\":1}]}");
    // then
    assertThat(outcome.status()).isEqualTo(RunStatus.FAILED);
    assertThat(outcome.error().code()).isEqualTo(ErrorCode.PERMANENT_ERROR);
    assertThat(outcome.error().message()).startsWith("payload.items[1].quantity: expected");
  }

  @Test
  void aMissingRequiredFieldIsNamed() {
    // when
    TestOutcome outcome = validate("{\"orderId\":\"o-1\",\"items\":[]}");
    // then
    assertThat(outcome.status()).isEqualTo(RunStatus.FAILED);
    assertThat(outcome.error().message()).isEqualTo("payload.customerId: required, missing");
  }

  @Test
  void everyBrokenConstraintIsNamedByItsPath() {
    // when
    TestOutcome outcome = validate("{\"orderId\":\"o-1\",\"customerId\":\" \",\"items\":["
        + "{\"productId\":\"p-1\",\"quantity\":1,\"price\":1},"
        + "{\"productId\":\"p-2\",\"quantity\":0,\"price\":-1}]}");
    TestOutcome empty = validate("{\"orderId\":\"o-1\",\"customerId\":\"c-1\",\"items\":[]}");
    // then
    assertThat(outcome.status()).isEqualTo(RunStatus.FAILED);
    assertThat(outcome.error().code()).isEqualTo(ErrorCode.PERMANENT_ERROR);
    assertThat(outcome.error().message()).isEqualTo("payload.customerId: must not be blank; "
        + "payload.items[1].price: must be greater than or equal to 0; "
        + "payload.items[1].quantity: must be greater than 0");
    assertThat(empty.error().message()).isEqualTo("payload.items: must not be empty");
  }

  @Test
  void aTotalThatDoesNotMatchFailsWithTheBusinessRuleLabel() {
    // when
    TestOutcome wrongTotal = validate("{\"orderId\":\"o-1\",\"customerId\":\"c-1\",\"total\":9,"
        + "\"items\":[{\"productId\":\"p-1\",\"quantity\":1,\"price\":10}]}");
    // then
    assertThat(wrongTotal.status()).isEqualTo(RunStatus.FAILED);
    assertThat(wrongTotal.error().label()).isEqualTo("business-rule");
    assertThat(wrongTotal.error().message()).isEqualTo("Order total doesn't match item prices");
  }
}
