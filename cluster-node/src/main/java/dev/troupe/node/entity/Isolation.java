package dev.troupe.node.entity;

import dev.troupe.node.metrics.TroupeMetrics;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import org.apache.pekko.actor.typed.ActorRef;
import org.slf4j.Logger;

/**
 * The front's isolation of a command whose events the journal will not write. A batch is written
 * as one journal entry, so one command that the journal's serializer rejects, or that the database
 * refuses, would fail the batch of every command gathered with it. When a batch's write fails with
 * nothing written (the core's recovery says so: {@link WorkerEntity.CoreRecovered}), its commands
 * are decided again one at a time, before anything else: the good ones are written and answered
 * as usual, and a command whose own write fails is set aside. Once the last of them is tried, the
 * commands set aside are refused unrecorded: {@code INVALID} (400, the refusal naming why) when
 * another write succeeded since the batch failed, so the journal works and refused these commands'
 * own events; else {@code UNAVAILABLE} (503): the journal refused everything (a database that is
 * down), and such a command is not called bad. Each command is thus tried at most twice: a
 * failing journal never makes a loop of retries (the core's restarts back off meanwhile).
 *
 * <p>A command that cannot carry a refusal (a run's outcome, emit or next attempt, the core's own
 * messages) and fails alone is dropped with a warning; the core then lets its runs go as after any
 * failed write ({@link FailedWrites}), so that no run waits for a write that never comes.
 */
final class Isolation {
  private final String entityId;
  private final String worker;
  private final TroupeMetrics metrics;
  private final Logger log;
  /** Commands of a failed batch, to be decided one at a time, oldest first. */
  private final ArrayDeque<WorkerEntity.Command> suspects = new ArrayDeque<>();
  /** Commands whose own write failed, answered once no suspect is left. */
  private final List<WorkerEntity.Command> failedAlone = new ArrayList<>();
  private String refusal;
  /** A batch failed and its commands are tried alone: {@link #wrote} counts from then. */
  private boolean isolating;
  /** A write succeeded while isolating: the journal works. */
  private boolean wrote;

  Isolation(String entityId, String worker, TroupeMetrics metrics, Logger log) {
    this.entityId = entityId;
    this.worker = worker;
    this.metrics = metrics;
    this.log = log;
  }

  /** Whether {@code c} can be answered with a {@link WorkerEntity.Refused}. */
  static boolean refusable(WorkerEntity.Command c) {
    return replyTo(c) != null;
  }

  /** Batch {@code commands} was not written, for {@code why}: each is tried alone, first. */
  void failed(List<WorkerEntity.Command> commands, String why) {
    refusal = why;
    wrote &= isolating;
    if (commands.size() == 1) {
      failedAlone.add(commands.get(0));
      return;
    }
    log.warn("worker entity {}: a batch of {} commands was not written ({}); trying each alone",
        entityId, commands.size(), why);
    isolating = true;
    for (int i = commands.size() - 1; i >= 0; i--) {
      suspects.addFirst(commands.get(i));
    }
  }

  /** A batch was written (the journal works, as far as an isolation is concerned). */
  void written() {
    wrote = true;
  }

  /** The next command to decide alone, or null when none is left to isolate. */
  WorkerEntity.Command next() {
    settle();
    return suspects.poll();
  }

  /** Once no suspect is left: refuses the commands whose own write failed. */
  private void settle() {
    if (!suspects.isEmpty()) {
      return;
    }
    isolating = false;
    if (failedAlone.isEmpty()) {
      return;
    }
    WorkerEntity.Refused refused = wrote
        ? new WorkerEntity.Refused(WorkerEntity.Refused.Reason.INVALID, "the journal refused to"
            + " record this command while it recorded others: " + refusal
            + "; nothing was recorded")
        : new WorkerEntity.Refused(WorkerEntity.Refused.Reason.UNAVAILABLE, "the journal could not"
            + " record this command (" + refusal + "); nothing was recorded: try again later");
    for (WorkerEntity.Command c : failedAlone) {
      ActorRef<? super WorkerEntity.Refused> replyTo = replyTo(c);
      String what = c.getClass().getSimpleName();
      metrics.journalRefused(worker, what, wrote);
      if (replyTo == null) {
        log.warn("worker entity {}: dropped a {} that the journal would not write ({}); its runs"
            + " are let go and resumed", entityId, what, refusal);
      } else {
        log.warn("worker entity {}: refused a {} that the journal would not write ({}): {}",
            entityId, what, wrote ? "others were written" : "nor anything else", refusal);
        replyTo.tell(refused);
      }
    }
    failedAlone.clear();
  }

  private static ActorRef<? super WorkerEntity.Refused> replyTo(WorkerEntity.Command c) {
    if (c instanceof WorkerEntity.Call x) {
      return x.replyTo();
    } else if (c instanceof WorkerEntity.Cancel x) {
      return x.replyTo();
    } else if (c instanceof WorkerEntity.GetRun x) {
      return x.replyTo();
    } else if (c instanceof WorkerEntity.AwaitResult x) {
      return x.replyTo();
    } else if (c instanceof WorkerEntity.Subscribe x) {
      return x.replyTo();
    } else if (c instanceof WorkerEntity.SaveCheckpoint x) {
      return x.replyTo();
    } else if (c instanceof WorkerEntity.RecordStep x) {
      return x.replyTo();
    }
    return null;
  }
}
