package dev.troupe.examples.orders;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.ConfigFactory;
import dev.troupe.api.ErrorCode;
import dev.troupe.api.RunStatus;
import dev.troupe.examples.testing.FakeHttp;
import dev.troupe.examples.testing.FakeHttp.Reply;
import dev.troupe.examples.testing.InstalledJobs;
import dev.troupe.testkit.TestOutcome;
import dev.troupe.testkit.TestWorkerContext;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class PaymentProcessorTest {
  private static final String CHARGE = "{\"orderId\":\"o-1\",\"customerId\":\"c-1\","
      + "\"amount\":54.0,\"paymentInfo\":{\"method\":\"card\",\"cardToken\":\"tok_1\"}}";

  private final InstalledJobs jobs = InstalledJobs.of(new PaymentProcessor());
  private final FakeHttp gateway = FakeHttp.start();

  @AfterEach
  void stopGateway() {
    gateway.close();
  }

  private TestWorkerContext charge() {
    return jobs.context("payment-processor").payloadJson(CHARGE)
        .config(ConfigFactory.parseMap(Map.of("gateway-url", gateway.url(), "api-key", "k-1")))
        .build();
  }

  @Test
  void aChargeReturnsThePaymentAndSendsTheOrderWithTheKey() {
    // given
    gateway.on("/v1/charges", Reply.json(200, "{\"id\":\"pay_1\",\"fee\":1.5}"));
    // when
    TestOutcome outcome = jobs.run("payment-processor", charge());
    // then
    assertThat(outcome.status()).isEqualTo(RunStatus.SUCCEEDED);
    assertThat(outcome.resultAs(PaymentProcessor.Charged.class))
        .isEqualTo(new PaymentProcessor.Charged("pay_1", "charged", 1.5));
    FakeHttp.Request sent = gateway.requests().get(0);
    assertThat(sent.method()).isEqualTo("POST");
    assertThat(sent.authorization()).isEqualTo("Bearer k-1");
    assertThat(sent.body()).contains("\"order_id\":\"o-1\"").contains("\"card_token\":\"tok_1\"")
        .contains("\"amount\":54.0");
  }

  @Test
  void aBusyGatewayIsRetriedAndTheRetrySucceeds() {
    // given
    gateway.on("/v1/charges", Reply.json(503, "{\"error_code\":\"busy\",\"message\":\"later\"}"),
        Reply.json(200, "{\"id\":\"pay_2\",\"fee\":1}"));
    TestWorkerContext first = charge();
    // when
    TestOutcome busy = jobs.run("payment-processor", first);
    TestOutcome retried = jobs.run("payment-processor", first.nextAttempt());
    // then
    assertThat(busy.status()).isEqualTo(RunStatus.RETRYING);
    assertThat(busy.error().message()).isEqualTo("Payment gateway busy (503) busy: later");
    assertThat(retried.status()).isEqualTo(RunStatus.SUCCEEDED);
    assertThat(retried.result().path("paymentId").asText()).isEqualTo("pay_2");
  }

  @Test
  void aRefusalFailsPermanentlyWithTheGatewaysReason() {
    // given
    gateway.on("/v1/charges",
        Reply.json(402, "{\"error_code\":\"card_declined\",\"message\":\"Insufficient funds\"}"));
    // when
    TestOutcome outcome = jobs.run("payment-processor", charge());
    // then
    assertThat(outcome.status()).isEqualTo(RunStatus.FAILED);
    assertThat(outcome.error().code()).isEqualTo(ErrorCode.PERMANENT_ERROR);
    assertThat(outcome.error().label()).isEqualTo("payment-refused");
    assertThat(outcome.error().message()).isEqualTo("card_declined: Insufficient funds");
  }

  @Test
  void anUnreachableGatewayIsTransient() {
    // given a gateway that is gone
    TestWorkerContext ctx = charge();
    gateway.close();
    // when
    TestOutcome outcome = jobs.run("payment-processor", ctx);
    // then
    assertThat(outcome.status()).isEqualTo(RunStatus.RETRYING);
    assertThat(outcome.error().code()).isEqualTo(ErrorCode.TRANSIENT_ERROR);
  }
}
