package dev.troupe.node.entity;

import com.fasterxml.jackson.databind.JsonNode;
import dev.troupe.api.RunEvent;
import dev.troupe.api.RunQuery;
import dev.troupe.api.RunRejectedException;
import dev.troupe.api.RunResult;
import dev.troupe.api.UnknownRunException;
import dev.troupe.api.WorkerStats;
import dev.troupe.node.placement.RegisteredWorkers;
import dev.troupe.node.registry.Registration;
import dev.troupe.persistence.RunIds;
import dev.troupe.persistence.RunSpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import org.apache.pekko.Done;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityRef;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.stream.SourceRef;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.concurrent.ExecutionContextExecutor;

/**
 * The node's way to the worker entities, wherever in the cluster they live: every ask with its
 * timeout, its reply completed on the callback dispatcher (never on an entity's thread) and
 * failures as the API's exceptions. Also starts the sharding regions of the roles in use.
 */
public final class EntityClient {
  private static final Logger log = LoggerFactory.getLogger(EntityClient.class);
  private final EntityServices services;
  private final ClusterSharding sharding;
  private final ExecutionContextExecutor callbacks;
  /** The roles whose entity types this node has started sharding for ("" for none). */
  private final Set<String> roles = ConcurrentHashMap.newKeySet();

  public EntityClient(EntityServices services) {
    this.services = services;
    this.sharding = ClusterSharding.get(services.system());
    this.callbacks = services.system().dispatchers()
        .lookup(DispatcherSelector.fromConfig("troupe.callback-dispatcher"));
  }

  /** Starts sharding of the entity type of {@code role} once. */
  public void initRole(String role) {
    if (roles.add(role == null ? "" : role)) {
      WorkerEntities.init(services, role);
    }
  }

  /** The entity types this node has started, for the cluster view. */
  public List<EntityTypeKey<?>> keys() {
    return roles.stream().<EntityTypeKey<?>>map(r -> WorkerEntity.keyFor(r.isEmpty() ? null : r))
        .toList();
  }

  /**
   * Announces the definition to the cluster ({@link RegisteredWorkers}: its entities are placed
   * only on nodes that announced it) and starts its entities, so that their queued and
   * interrupted runs go on.
   */
  public void wake(Registration reg) {
    RegisteredWorkers.get(services.system()).announce(reg.name());
    for (int p = 0; p < reg.definition().config().partitions(); p++) {
      // no check that the role is up (the node may not be a member yet): the region buffers it
      sharding.entityRefFor(WorkerEntity.keyFor(reg.definition().config().role()),
          RunIds.entityId(reg.name(), p)).tell(WorkerEntity.SlotsFreed.INSTANCE);
    }
  }

  /**
   * @throws RunRejectedException NO_NODE_FOR_ROLE at once, when no member with the definition's
   *     role is up
   */
  public CompletionStage<WorkerEntity.Accepted> call(String entityId, JsonNode payload,
      long payloadBytes, long timeoutMs, String idempotencyKey, List<String> tags, RunSpec spec,
      long giveUpAtMillis) {
    return ask(entityId, (ActorRef<WorkerEntity.CallReply> r) -> new WorkerEntity.Call(payload,
        timeoutMs, idempotencyKey, tags, spec, giveUpAtMillis, r, payloadBytes),
        WorkerEntity.Accepted.class);
  }

  public CompletionStage<Done> cancel(String runId) {
    return withRun(runId, e -> ask(e,
        (ActorRef<WorkerEntity.CancelReply> r) -> new WorkerEntity.Cancel(runId, r),
        WorkerEntity.Cancelled.class).thenApply(c -> Done.getInstance()));
  }

  public CompletionStage<RunResult> getRun(String runId) {
    return withRun(runId, e -> ask(e,
        (ActorRef<WorkerEntity.RunReply> r) -> new WorkerEntity.GetRun(runId, r),
        WorkerEntity.RunFound.class).thenApply(WorkerEntity.RunFound::run));
  }

  /**
   * The run once it has finished, within {@code troupe.call.result-timeout}. The entity is asked
   * again every {@code result-recheck}, and when it lets go of its waiters (it stopped or moved),
   * so that a run whose entity moved, or whose node died, is followed to its next owner.
   */
  public CompletionStage<RunResult> awaitResult(String runId) {
    CompletableFuture<RunResult> out = new CompletableFuture<>();
    askResult(runId, System.nanoTime() + services.settings().resultTimeout().toNanos(), out);
    return out;
  }

  /**
   * Asks once for the run's result and completes {@code out}, or asks again while the deadline
   * allows: at once after an ask that waited, after {@code troupe.call.result-retry-pause} when the
   * entity answered at once without the result, so that an entity that keeps refusing (its node
   * lacks the worker until it moves) is not asked in a tight loop.
   */
  private void askResult(String runId, long deadline, CompletableFuture<RunResult> out) {
    long asked = System.nanoTime();
    Duration wait = Duration.ofNanos(Math.max(1, Math.min(deadline - asked,
        services.settings().resultRecheck().toNanos())));
    withRun(runId, e -> entityRef(e).<WorkerEntity.RunReply>ask(
            r -> new WorkerEntity.AwaitResult(runId, r), wait))
        .whenCompleteAsync((reply, asking) -> {
          Throwable failure = asking;
          if (asking == null) {
            try {
              out.complete(Failures.answer(reply, WorkerEntity.RunFound.class).run());
              return;
            } catch (RuntimeException refused) {
              failure = refused;
            }
          }
          if (shuttingDown()) {
            out.completeExceptionally(stopped(runId));
          } else if (System.nanoTime() < deadline && askAgain(failure)) {
            askLater(runId, deadline, out, asked);
          } else {
            out.completeExceptionally(Failures.toException(failure));
          }
        }, callbacks);
  }

  private void askLater(String runId, long deadline, CompletableFuture<RunResult> out,
      long asked) {
    long pause = services.settings().resultRetryPause().toNanos() - (System.nanoTime() - asked);
    if (pause <= 0) {
      askResult(runId, deadline, out);
      return;
    }
    try {
      services.system().scheduler().scheduleOnce(Duration.ofNanos(pause),
          () -> askResult(runId, deadline, out), callbacks);
    } catch (IllegalStateException terminated) {
      out.completeExceptionally(stopped(runId));
    }
  }

  /**
   * Whether this node is on its way down: its sharding regions go, and an ask of them fails at
   * once, so a caller waiting here for a result is told rather than asking again until its
   * deadline.
   */
  private boolean shuttingDown() {
    return CoordinatedShutdown.get(services.system()).getShutdownReason().isPresent();
  }

  private static RunRejectedException stopped(String runId) {
    return new RunRejectedException(RunRejectedException.Reason.SHUTTING_DOWN, "this node shut"
        + " down before run " + runId + " finished: read it from another node, or once this one"
        + " is back");
  }

  /** An ask of a result that timed out, or whose entity let its waiters go: ask again. */
  private static boolean askAgain(Throwable failure) {
    Throwable e = failure instanceof CompletionException && failure.getCause() != null
        ? failure.getCause() : failure;
    return e instanceof TimeoutException || Failures.toException(e) instanceof RunRejectedException r
        && r.reason() == RunRejectedException.Reason.UNAVAILABLE;
  }

  public CompletionStage<SourceRef<RunEvent>> subscribe(String runId, long afterSeq) {
    return withRun(runId, e -> ask(e,
        (ActorRef<WorkerEntity.StreamReply> r) -> new WorkerEntity.Subscribe(runId, afterSeq, r),
        WorkerEntity.StreamOpened.class).thenApply(WorkerEntity.StreamOpened::events));
  }

  /**
   * Asks every entity of every worker registered here to cancel the children of the cancelled
   * run {@code parentRunId}; completes with how many were cancelled. An entity that does not
   * answer in time is logged and counted as none: its children finish on their own.
   */
  public CompletionStage<Integer> cancelChildren(String parentRunId) {
    List<CompletableFuture<Integer>> parts = new ArrayList<>();
    for (String name : services.registry().names()) {
      for (String entityId : entityIds(services.registry().require(name))) {
        parts.add(withEntity(entityId, e -> offEntity(entityRef(e)
            .<WorkerEntity.ChildrenCancelled>ask(r -> new WorkerEntity.CancelChildren(parentRunId,
                r), services.settings().askTimeout()))).toCompletableFuture()
            .handle((c, t) -> {
              if (t != null) {
                log.warn("the children of the cancelled run {} in {} were not cancelled: {}",
                    parentRunId, entityId, Failures.toException(t).getMessage());
              }
              return t == null ? c.count() : 0;
            }));
      }
    }
    return CompletableFuture.allOf(parts.toArray(CompletableFuture[]::new))
        .thenApply(v -> parts.stream().mapToInt(CompletableFuture::join).sum());
  }

  /** The active runs of every partition of {@code reg}, by run id. */
  public CompletionStage<List<RunResult>> active(Registration reg) {
    List<CompletableFuture<WorkerEntity.ActiveRuns>> parts = new ArrayList<>();
    for (String entityId : entityIds(reg)) {
      parts.add(withEntity(entityId, e -> offEntity(entityRef(e)
          .<WorkerEntity.ActiveRuns>ask(WorkerEntity.GetActive::new,
              services.settings().askTimeout()))).toCompletableFuture());
    }
    return CompletableFuture.allOf(parts.toArray(CompletableFuture[]::new)).thenApply(v ->
        parts.stream().flatMap(f -> f.join().runs().stream())
            .sorted(Comparator.comparing(RunResult::runId)).toList())
        .exceptionallyCompose(t -> CompletableFuture.failedFuture(Failures.toException(t)));
  }

  /**
   * Each partition's page of active runs for {@code query} ({@link WorkerEntity.GetActivePage}),
   * by entity id, of the partitions that answered within {@code troupe.ask-timeout}: one that
   * did not (its node unreachable, no member of its role up) is left out, and logged.
   */
  public CompletionStage<Map<String, List<RunResult>>> activePages(Registration reg,
      RunQuery query) {
    Map<String, CompletableFuture<Optional<List<RunResult>>>> parts = new LinkedHashMap<>();
    for (String entityId : entityIds(reg)) {
      parts.put(entityId, withEntity(entityId, e -> offEntity(entityRef(e)
          .<WorkerEntity.ActiveRuns>ask(r -> new WorkerEntity.GetActivePage(query, r),
              services.settings().askTimeout()))).toCompletableFuture()
          .handle((answer, t) -> {
            if (t != null) {
              log.debug("{} did not list its active runs: {}", entityId,
                  Failures.toException(t).getMessage());
            }
            return t == null ? Optional.of(answer.runs()) : Optional.<List<RunResult>>empty();
          }));
    }
    return CompletableFuture.allOf(parts.values().toArray(CompletableFuture[]::new))
        .thenApply(v -> {
          Map<String, List<RunResult>> answered = new LinkedHashMap<>();
          parts.forEach((id, f) -> f.join().ifPresent(runs -> answered.put(id, runs)));
          return answered;
        });
  }

  /** The statistics of {@code reg}, summed over its partitions. */
  public CompletionStage<WorkerStats> stats(Registration reg) {
    List<CompletableFuture<WorkerStats>> parts = new ArrayList<>();
    for (String entityId : entityIds(reg)) {
      parts.add(withEntity(entityId, e -> offEntity(entityRef(e).<WorkerStats>ask(
          WorkerEntity.GetStats::new, services.settings().askTimeout()))).toCompletableFuture());
    }
    return CompletableFuture.allOf(parts.toArray(CompletableFuture[]::new)).thenApply(v ->
        parts.stream().map(CompletableFuture::join).reduce(WorkerStats::plus).orElseThrow())
        .exceptionallyCompose(t -> CompletableFuture.failedFuture(Failures.toException(t)));
  }

  private static List<String> entityIds(Registration reg) {
    List<String> ids = new ArrayList<>();
    for (int p = 0; p < reg.definition().config().partitions(); p++) {
      ids.add(RunIds.entityId(reg.name(), p));
    }
    return ids;
  }

  // asking

  /**
   * The entity, in the sharding region of its definition's role.
   *
   * @throws RunRejectedException NO_NODE_FOR_ROLE when the definition has a role and no member
   *     with that role is up: its messages would only wait in the proxy's buffer
   */
  private EntityRef<WorkerEntity.Command> entityRef(String entityId) {
    Registration reg = services.registry().find(RunIds.workerOf(entityId)).orElse(null);
    String role = reg == null ? null : reg.definition().config().role();
    if (role != null && !roleIsUp(role)) {
      throw new RunRejectedException(RunRejectedException.Reason.NO_NODE_FOR_ROLE, "worker '"
          + reg.definition().name() + "' runs only on nodes with role '" + role
          + "', and no cluster member with that role is up");
    }
    return sharding.entityRefFor(WorkerEntity.keyFor(role), entityId);
  }

  private boolean roleIsUp(String role) {
    for (Member m : Cluster.get(services.system()).state().getMembers()) {
      if (m.status() == MemberStatus.up() && m.hasRole(role)) {
        return true;
      }
    }
    return false;
  }

  /**
   * {@code f} of the run's entity, or a failed stage: a malformed id, a role that is down, or an
   * id naming a worker or partition this node does not have ({@link UnknownRunException}: no
   * entity is started for it).
   */
  private <T> CompletionStage<T> withRun(String runId, Function<String, CompletionStage<T>> f) {
    try {
      return withEntity(ownerOf(runId), f);
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  private String ownerOf(String runId) {
    String entityId = RunIds.entityOf(runId);
    String worker = RunIds.workerOf(entityId);
    Registration reg = services.registry().find(worker).orElseThrow(() -> new UnknownRunException(
        "run " + runId + " is not known: worker '" + worker + "' is not registered on this node"));
    int partitions = reg.definition().config().partitions();
    if (RunIds.partitionOf(entityId) >= partitions) {
      throw new UnknownRunException("run " + runId + " is not known: worker '" + worker
          + "' has " + partitions + " partition(s)");
    }
    return entityId;
  }

  private static <T> CompletionStage<T> withEntity(String entityId,
      Function<String, CompletionStage<T>> f) {
    try {
      return f.apply(entityId);
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  /**
   * Asks with {@code troupe.ask-timeout} for a reply that is an {@code answer} or a refusal. The
   * answer is taken out once on the callback dispatcher: a stage of Pekko's Java ask runs even
   * its non-async callbacks on the common fork-join pool (one thread on two cores), which cost
   * three quarters of a node's call throughput when the answer was taken out there.
   */
  private <R, A> CompletionStage<A> ask(String entityId,
      Function<ActorRef<R>, WorkerEntity.Command> message, Class<A> answer) {
    return offEntity(entityRef(entityId).<R>ask(message::apply, services.settings().askTimeout()))
        .thenApply(reply -> Failures.answer(reply, answer));
  }

  /**
   * The reply of an ask completes its stage on the replying entity's thread; callers get a stage
   * that completes on the callback dispatcher instead, with the API's exceptions.
   */
  private <T> CompletionStage<T> offEntity(CompletionStage<T> reply) {
    CompletableFuture<T> out = new CompletableFuture<>();
    reply.whenCompleteAsync((value, failure) -> {
      if (failure == null) {
        out.complete(value);
      } else {
        out.completeExceptionally(Failures.toException(failure));
      }
    }, callbacks);
    return out;
  }
}
