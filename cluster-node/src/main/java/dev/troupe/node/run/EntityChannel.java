package dev.troupe.node.run;

import com.fasterxml.jackson.databind.JsonNode;
import dev.troupe.api.RunError;
import dev.troupe.persistence.StepRecord;
import java.time.Instant;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * What a run (its actor, its attempt context and its live state) tells the worker entity that
 * owns it. Every report carries the attempt's epoch: the entity ignores, or refuses, those of a
 * superseded attempt. Implemented by the entity's package; the run package knows no more of it.
 */
public interface EntityChannel {

  /** Attempt {@code epoch} ended: exactly one report per attempt. */
  void outcome(String runId, long epoch, Outcome outcome, JsonNode result, RunError error);

  /** A restarted run actor asks for its next attempt after the failed attempt {@code epoch}. */
  void nextAttempt(String runId, long epoch, ActorRef<Granted> replyTo);

  /**
   * Writes a checkpoint of attempt {@code epoch}; completes once it is written, or fails with
   * the API's exception (e.g. {@code RunFinishedException} when the attempt is superseded).
   */
  CompletionStage<Done> checkpoint(String runId, long epoch, JsonNode data);

  /**
   * Records a durable step of attempt {@code epoch} (its result, its failure or its
   * compensation's); completes once it is written, or fails as {@link #checkpoint} does.
   */
  CompletionStage<Done> recordStep(String runId, long epoch, StepRecord step);

  /** An event of a durable stream, to be numbered and written by the entity before delivery. */
  void emit(String runId, long epoch, String type, JsonNode data, Instant at);
}
