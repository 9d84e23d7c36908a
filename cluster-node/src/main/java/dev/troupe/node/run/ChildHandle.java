package dev.troupe.node.run;

import dev.troupe.api.ChildRun;
import dev.troupe.api.RunEvent;
import dev.troupe.api.RunHandle;
import dev.troupe.api.RunResult;
import dev.troupe.api.RunStatus;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.Done;
import org.apache.pekko.NotUsed;
import org.apache.pekko.stream.javadsl.Source;

/** A child run as its parent's handler holds it: the facade's handle of the run. */
record ChildHandle(RunHandle run) implements ChildRun {
  @Override
  public String runId() {
    return run.runId();
  }

  @Override
  public String worker() {
    return run.worker();
  }

  @Override
  public boolean existing() {
    return run.existing();
  }

  @Override
  public RunStatus status() {
    return run.status();
  }

  @Override
  public String traceId() {
    return run.traceId();
  }

  @Override
  public Source<RunEvent, NotUsed> messages(long afterSeq) {
    return run.messages(afterSeq);
  }

  @Override
  public CompletionStage<RunResult> result() {
    return run.result();
  }

  @Override
  public CompletionStage<Done> cancel() {
    return run.cancel();
  }
}
