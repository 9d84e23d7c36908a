package dev.troupe.examples.quickstart;

import com.fasterxml.jackson.databind.JsonNode;
import dev.troupe.api.WorkerModule;
import dev.troupe.api.WorkerRegistrar;
import java.time.Duration;

/**
 * The quick start: {@code welcome-email} logs, simulates sending an email for {@code
 * payload.delayMs} (2 s by default) and succeeds without a result. Install it on a node with
 * {@code new WelcomeEmail().install(troupe)}, or list the class in {@code
 * META-INF/services/dev.troupe.api.WorkerModule} and the node discovers it.
 */
public final class WelcomeEmail implements WorkerModule {
  @Override
  public void install(WorkerRegistrar troupe) {
    troupe.job("welcome-email", JsonNode.class, (payload, ctx) -> {
      ctx.info("Sending email...");
      ctx.sleep(Duration.ofMillis(payload.path("delayMs").asLong(2000))); // simulated sending
      ctx.info("Email sent successfully!");
      return null; // succeeded, no result
    });
  }
}
