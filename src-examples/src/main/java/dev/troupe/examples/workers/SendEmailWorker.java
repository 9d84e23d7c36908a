package dev.troupe.examples.workers;

import com.fasterxml.jackson.databind.JsonNode;
import dev.troupe.api.PermanentFailure;
import dev.troupe.api.WorkerConfig;
import dev.troupe.api.WorkerContext;
import dev.troupe.api.WorkerModule;
import dev.troupe.api.WorkerRegistrar;
import java.time.Duration;
import java.time.Instant;

/**
 * {@code send-email}: simulates sending an email. Payload {@code {to, subject?, body?,
 * delayMs?}}; {@code to} is required and must contain '@', otherwise the run fails permanently
 * naming the field. Logs "Sending email to …", waits {@code delayMs} (default 100), emits
 * {@code {"status":"sent","to":…,"timestamp":<ISO-8601>}} and returns
 * {@code {"status":"sent","to":…}}. {@code body} is accepted but the simulation does not use it.
 * A cancel during the wait ends the run with no message and no result.
 */
public final class SendEmailWorker implements WorkerModule {
  record SentAt(String status, String to, String timestamp) {}

  record Sent(String status, String to) {}

  @Override
  public void install(WorkerRegistrar troupe) {
    troupe.job("send-email", JsonNode.class, WorkerConfig.DEFAULT.withDescription(
        "Simulates sending an email to payload.to after payload.delayMs"), SendEmailWorker::send);
  }

  static Sent send(JsonNode payload, WorkerContext ctx) {
    String to = recipient(payload);
    String subject = payload.path("subject").asText("(no subject)");
    int delayMs = Payloads.nonNegativeInt(payload, "delayMs", 100);

    ctx.info("Sending email to {} (subject: '{}')", to, subject);
    ctx.sleep(Duration.ofMillis(delayMs)); // a cancel ends the handler here: nothing was sent
    ctx.emit(new SentAt("sent", to, Instant.now().toString()));
    return new Sent("sent", to);
  }

  private static String recipient(JsonNode payload) {
    JsonNode node = payload.path("to");
    if (node.isMissingNode() || node.isNull()) {
      throw new PermanentFailure("field 'to' is required");
    }
    if (!node.isTextual() || node.asText().indexOf('@') < 0) {
      String shown = node.isTextual() ? "'" + node.asText() + "'" : node.toString();
      throw new PermanentFailure("field 'to' must be an email address, was " + shown);
    }
    return node.asText();
  }
}
