package dev.troupe.node;

import dev.troupe.api.RunEvent;
import dev.troupe.api.RunHandle;
import dev.troupe.api.RunResult;
import dev.troupe.api.RunStatus;
import dev.troupe.node.entity.EntityClient;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.Done;
import org.apache.pekko.NotUsed;
import org.apache.pekko.stream.javadsl.Source;

/**
 * A handle on a run, by id; every operation goes to the run's entity, wherever it lives. Its
 * result is the whole run, from the run history when its entity keeps only its summary.
 */
record RunHandleImpl(RunStreams streams, EntityClient entities, RunLookups lookups, String runId,
    String worker, boolean existing, RunStatus status, String traceId) implements RunHandle {

  @Override
  public Source<RunEvent, NotUsed> messages(long afterSeq) {
    return streams.stream(runId, afterSeq);
  }

  @Override
  public CompletionStage<RunResult> result() {
    return lookups.outcome(runId);
  }

  @Override
  public CompletionStage<Done> cancel() {
    return entities.cancel(runId);
  }
}
