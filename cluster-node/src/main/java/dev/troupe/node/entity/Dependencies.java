package dev.troupe.node.entity;

import dev.troupe.api.ErrorCode;
import dev.troupe.api.RunError;
import dev.troupe.api.RunStatus;
import dev.troupe.api.UnknownRunException;
import dev.troupe.persistence.RunRecord;
import dev.troupe.persistence.WorkerEvent;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.pekko.actor.typed.ActorRef;
import org.slf4j.Logger;

/**
 * A worker entity's runs that wait for others ({@code dependsOn}): recorded {@code WAITING},
 * queued ({@link WorkerEvent.DependenciesMet}) once every run they depend on has succeeded,
 * cancelled naming the first that ended otherwise. The entity asks each dependency's outcome of
 * the node ({@code NodeCalls.outcome}: its entity wherever it is, else the run history) when the
 * run is accepted and again after every recovery, so nothing but the journal needs to survive a
 * restart: the outcome of a finished run does not change. Which dependencies have succeeded is
 * kept in memory only, on the entity's thread, and asked again after a restart.
 */
final class Dependencies {
  private final EntityServices services;
  private final RunHost host;
  private final Attempts attempts;
  private final ActorRef<WorkerEntity.Command> front;
  private final Logger log;
  /** Per waiting run, the dependencies known to have succeeded. Entity thread only. */
  private final Map<String, Set<String>> succeeded = new HashMap<>();
  /** Bumped when the entity stops or restarts: the answers of older asks are dropped. */
  private volatile long generation;

  Dependencies(EntityServices services, RunHost host, Attempts attempts,
      ActorRef<WorkerEntity.Command> front, Logger log) {
    this.services = services;
    this.host = host;
    this.attempts = attempts;
    this.front = front;
    this.log = log;
  }

  /** A run was accepted WAITING: once that is written, ask how its dependencies end. */
  void accepted(Decision d, String runId, Iterable<String> dependsOn) {
    host.status(d, runId, RunStatus.WAITING, 0, null);
    d.then(() -> watch(runId, dependsOn));
  }

  /** After recovery: ask again for every run still waiting. */
  void onResume(Decision d, WorkerEntity.Resume resume) {
    for (RunRecord r : d.state().waitingRuns()) {
      d.then(() -> watch(r.runId(), r.spec().dependsOn()));
    }
  }

  void onDependencyEnded(Decision d, WorkerEntity.DependencyEnded m) {
    Optional<RunRecord> run = d.state().activeRun(m.runId())
        .filter(r -> r.status() == RunStatus.WAITING);
    if (run.isEmpty()) {
      succeeded.remove(m.runId()); // cancelled or released already: a late or second answer
      return;
    }
    if (!RunStatus.SUCCEEDED.name().equals(m.endedAs())) {
      succeeded.remove(m.runId());
      String why = m.endedAs() == null ? "is not known (neither its entity nor the run history"
          + " has it)" : "ended " + m.endedAs();
      attempts.finish(d, run.get(), RunStatus.CANCELLED, null, new RunError(ErrorCode.CANCELLED,
          "dependency " + m.dependency() + " " + why + ", so this run did not start"));
      return;
    }
    Set<String> done = succeeded.computeIfAbsent(m.runId(), k -> new HashSet<>());
    done.add(m.dependency());
    if (done.containsAll(run.get().spec().dependsOn())) {
      succeeded.remove(m.runId());
      d.persist(new WorkerEvent.DependenciesMet(m.runId(), d.now));
      // queued, or SCHEDULED while its start time is still ahead
      host.status(d, m.runId(), d.state().activeRun(m.runId()).orElseThrow().status(), 0, null);
    }
  }

  /** The entity stops or restarts: answers to the asks made so far are ignored. */
  void letGo() {
    generation++;
    succeeded.clear();
  }

  private void watch(String runId, Iterable<String> dependsOn) {
    long gen = generation;
    Set<String> distinct = new LinkedHashSet<>();
    dependsOn.forEach(distinct::add);
    distinct.forEach(dep -> ask(runId, dep, gen));
  }

  /** Asks the outcome of {@code dep} until it is known; an unknown run is an answer too. */
  private void ask(String runId, String dep, long gen) {
    services.runs().node().outcome(dep).whenComplete((r, t) -> {
      if (gen != generation) {
        return;
      }
      if (t == null) {
        front.tell(new WorkerEntity.DependencyEnded(runId, dep, r.status().name()));
      } else if (Failures.toException(t) instanceof UnknownRunException) {
        front.tell(new WorkerEntity.DependencyEnded(runId, dep, null));
      } else {
        Duration again = services.settings().resultRecheck();
        log.info("run {}: the outcome of its dependency {} is not known yet ({}); asking again"
            + " in {}", runId, dep, Failures.toException(t).getMessage(), again);
        services.system().scheduler().scheduleOnce(again, () -> ask(runId, dep, gen),
            services.system().executionContext());
      }
    });
  }
}
