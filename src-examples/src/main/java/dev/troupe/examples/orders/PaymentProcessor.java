package dev.troupe.examples.orders;

import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.Config;
import dev.troupe.api.PermanentFailure;
import dev.troupe.api.Required;
import dev.troupe.api.RetryPolicy;
import dev.troupe.api.TransientFailure;
import dev.troupe.api.WorkerConfig;
import dev.troupe.api.WorkerModule;
import dev.troupe.api.WorkerRegistrar;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;

/**
 * {@code payment-processor}: charges an order through an external payment gateway over HTTP,
 * {@code POST <gateway-url>/v1/charges} with a bearer token; both come from the node's
 * configuration, {@code troupe.workers.payment-processor { gateway-url, api-key }}.
 *
 * <p>Timeouts and retries are Troupe's: each request may take 30 s, each attempt 60 s, and up to
 * 3 attempts back off from 1 s to 30 s. A network error or request timeout (an {@code
 * IOException}, transient by default), a 429 or a 5xx is retried; any other refusal fails the
 * run permanently with the label {@code payment-refused} and the gateway's error code and
 * message. A charge returns {@code {"paymentId", "paymentStatus": "charged", "transactionFee"}}.
 */
public final class PaymentProcessor implements WorkerModule {
  static final WorkerConfig CONFIG = WorkerConfig.DEFAULT
      .withTimeout(Duration.ofSeconds(60))
      .withRetry(RetryPolicy.of(3, Duration.ofSeconds(1), Duration.ofSeconds(30)))
      .withDescription("Charges an order through the payment gateway");

  private static final HttpClient HTTP = HttpClient.newHttpClient();

  record PaymentInfo(@Required String method, @Required String cardToken) {}

  record Charge(@Required String orderId, @Required String customerId,
      @Required double amount, @Required PaymentInfo paymentInfo) {}

  record Charged(String paymentId, String paymentStatus, double transactionFee) {}

  @Override
  public void install(WorkerRegistrar troupe) {
    troupe.job("payment-processor", Charge.class, CONFIG, (charge, ctx) -> {
      Config gateway = ctx.config();
      String body = ctx.json().writeValueAsString(Map.of("amount", charge.amount(),
          "currency", "USD", "payment_method", charge.paymentInfo().method(),
          "card_token", charge.paymentInfo().cardToken(), "customer_id", charge.customerId(),
          "order_id", charge.orderId()));
      HttpRequest request = HttpRequest.newBuilder(
              URI.create(gateway.getString("gateway-url") + "/v1/charges"))
          .timeout(Duration.ofSeconds(30))
          .header("Authorization", "Bearer " + gateway.getString("api-key"))
          .header("Content-Type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofString(body)).build();
      HttpResponse<String> response = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
      JsonNode reply = ctx.json().readTree(response.body());
      int status = response.statusCode();
      if (status == 200) {
        return new Charged(reply.path("id").asText(), "charged", reply.path("fee").asDouble());
      }
      String error = reply.path("error_code").asText() + ": " + reply.path("message").asText();
      if (status == 429 || status >= 500) {
        throw new TransientFailure("Payment gateway busy (" + status + ") " + error);
      }
      throw PermanentFailure.coded("payment-refused", error);
    });
  }
}
