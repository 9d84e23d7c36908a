package dev.troupe.node.entity;

import com.fasterxml.jackson.databind.JsonNode;
import dev.troupe.api.RunError;
import dev.troupe.node.run.EntityChannel;
import dev.troupe.node.run.Granted;
import dev.troupe.node.run.Outcome;
import dev.troupe.persistence.StepRecord;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.function.Function;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Scheduler;
import org.apache.pekko.actor.typed.javadsl.AskPattern;

/**
 * A run's reports to its entity, sent through the entity's front to join its next batch. The
 * answers of its asks are read on {@code callbacks}: a stage of Pekko's Java ask would run even
 * non-async callbacks on the common fork-join pool.
 */
record FrontChannel(ActorRef<WorkerEntity.Command> front, Duration askTimeout, Scheduler scheduler,
    Executor callbacks) implements EntityChannel {

  @Override
  public void outcome(String runId, long epoch, Outcome outcome, JsonNode result, RunError error) {
    front.tell(new WorkerEntity.AttemptOutcome(runId, epoch, outcome, result, error));
  }

  @Override
  public void nextAttempt(String runId, long epoch, ActorRef<Granted> replyTo) {
    front.tell(new WorkerEntity.RequestNextAttempt(runId, epoch, replyTo));
  }

  @Override
  public CompletionStage<Done> checkpoint(String runId, long epoch, JsonNode data) {
    return write(replyTo -> new WorkerEntity.SaveCheckpoint(runId, epoch, data, replyTo));
  }

  @Override
  public CompletionStage<Done> recordStep(String runId, long epoch, StepRecord step) {
    return write(replyTo -> new WorkerEntity.RecordStep(runId, epoch, step, replyTo));
  }

  /** Done once the write is durable; failed with the API's exception when it was refused. */
  private CompletionStage<Done> write(
      Function<ActorRef<WorkerEntity.WriteReply>, WorkerEntity.Command> message) {
    CompletableFuture<Done> written = new CompletableFuture<>();
    AskPattern.<WorkerEntity.Command, WorkerEntity.WriteReply>ask(front, message::apply,
            askTimeout, scheduler)
        .whenCompleteAsync((reply, t) -> {
          if (t != null) {
            written.completeExceptionally(Failures.toException(t));
          } else if (reply instanceof WorkerEntity.Refused r) {
            written.completeExceptionally(Failures.toException(r));
          } else {
            written.complete(Done.getInstance());
          }
        }, callbacks);
    return written;
  }

  @Override
  public void emit(String runId, long epoch, String type, JsonNode data, Instant at) {
    front.tell(new WorkerEntity.Emit(runId, epoch, type, data, at));
  }
}
