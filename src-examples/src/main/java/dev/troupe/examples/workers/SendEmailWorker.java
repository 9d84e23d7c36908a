package dev.troupe.examples.workers;

import com.fasterxml.jackson.databind.JsonNode;
import dev.troupe.api.PermanentFailure;
import dev.troupe.api.Worker;
import dev.troupe.api.WorkerConfig;
import dev.troupe.api.WorkerContext;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletionStage;

/**
 * {@code send-email}: simulates sending an email. Payload {@code {to, subject?, body?,
 * delayMs?}}; {@code to} is required and must contain '@', otherwise the run fails permanently
 * naming the field. Logs "Sending email to …", waits {@code delayMs} (default 100) without
 * blocking, emits {@code {"status":"sent","to":…,"timestamp":<ISO-8601>}} and returns
 * {@code {"status":"sent","to":…}}. {@code body} is accepted but the simulation does not use it.
 */
public final class SendEmailWorker implements Worker {
  public static final String NAME = "send-email";

  public static final WorkerConfig CONFIG = WorkerConfig.DEFAULT
      .withDescription("Simulates sending an email to payload.to after payload.delayMs");

  @Override
  public CompletionStage<JsonNode> run(WorkerContext ctx) throws PermanentFailure {
    JsonNode payload = ctx.payload();
    String to = recipient(payload);
    String subject = payload.path("subject").asText("(no subject)");
    int delayMs = Payloads.nonNegativeInt(payload, "delayMs", 100);

    ctx.info("Sending email to " + to + " (subject: '" + subject + "')");
    return ctx.delay(Duration.ofMillis(delayMs)).<JsonNode>thenApply(sent -> {
      // a cancelled run has no result and must not report the email as sent
      if (!sent) {
        return null;
      }
      ctx.emit(ctx.newObject().put("status", "sent").put("to", to)
          .put("timestamp", Instant.now().toString()));
      return ctx.newObject().put("status", "sent").put("to", to);
    });
  }

  private static String recipient(JsonNode payload) throws PermanentFailure {
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
