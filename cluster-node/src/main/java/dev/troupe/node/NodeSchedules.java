package dev.troupe.node;

import com.fasterxml.jackson.databind.JsonNode;
import dev.troupe.api.CallOptions;
import dev.troupe.api.InvalidArgumentException;
import dev.troupe.api.RunHandle;
import dev.troupe.api.RunResult;
import dev.troupe.api.RunStatus;
import dev.troupe.api.Schedule;
import dev.troupe.api.ScheduleInfo;
import dev.troupe.api.SchedulePage;
import dev.troupe.api.ScheduleRun;
import dev.troupe.api.Schedules;
import dev.troupe.api.UnknownScheduleException;
import dev.troupe.node.config.ScheduleSettings;
import dev.troupe.node.entity.Failures;
import dev.troupe.node.entity.LocalEntities;
import dev.troupe.node.registry.WorkerRegistry;
import dev.troupe.node.schedule.Cron;
import dev.troupe.node.schedule.RunStarter;
import dev.troupe.node.schedule.ScheduleEntities;
import dev.troupe.node.schedule.ScheduleEntity;
import dev.troupe.node.schedule.ScheduleState;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorSystem;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link Schedules} of a node: each definition checked here (worker registered, cron and
 * timezone parsed, payload within limits) before anything is written; the runs of a schedule's
 * recent fires looked up for their status.
 */
final class NodeSchedules implements Schedules {
  private static final Logger log = LoggerFactory.getLogger(NodeSchedules.class);

  private final ScheduleEntities entities;
  private final WorkerRegistry registry;
  private final Consumer<JsonNode> payloadCheck;
  private final Function<String, CompletionStage<Optional<RunResult>>> lookup;
  private final BiFunction<String, String, RunHandle> attach;

  NodeSchedules(ScheduleEntities entities, WorkerRegistry registry,
      Consumer<JsonNode> payloadCheck,
      Function<String, CompletionStage<Optional<RunResult>>> lookup,
      BiFunction<String, String, RunHandle> attach) {
    this.entities = entities;
    this.registry = registry;
    this.payloadCheck = payloadCheck;
    this.lookup = lookup;
    this.attach = attach;
  }

  /**
   * Starts sharding of schedules on this node (the run of a fire starts through {@code calls}, at
   * most one per fire by its idempotency key) and wakes the cluster's schedules, so that they
   * fire after a restart of the whole cluster; {@code local} tells them whether this node is
   * fenced as a stale owner.
   */
  static NodeSchedules start(ActorSystem<?> system, Duration askTimeout, WorkerRegistry registry,
      LinkedCall calls, Consumer<JsonNode> payloadCheck,
      Function<String, CompletionStage<Optional<RunResult>>> lookup,
      BiFunction<String, String, RunHandle> attach, LocalEntities local) {
    ScheduleEntities entities = ScheduleEntities.init(system,
        ScheduleSettings.fromConfig(system.settings().config()), askTimeout, Clock.systemUTC(),
        fire(calls), local);
    entities.wakeAll();
    return new NodeSchedules(entities, registry, payloadCheck, lookup, attach);
  }

  private static RunStarter fire(LinkedCall calls) {
    return (s, fire, key) -> calls.start(s.worker(), s.payload(),
        CallOptions.NONE.withIdempotencyKey(key).withPriority(s.priority()),
        spec -> spec.withSchedule(fire))
        .thenApply(h -> new RunStarter.Started(h.runId(), h.traceId()));
  }

  /**
   * Checks a schedule declared in code, then puts it; a failure to put it is logged, as nobody
   * waits for it.
   */
  void declare(Schedule s) {
    check(s);
    put(s).whenComplete((info, t) -> {
      if (t != null) {
        log.error("the schedule '{}' declared in code could not be put: {}", s.name(),
            Failures.toException(t).getMessage());
      }
    });
  }

  /** Checks {@code schedule} as a put would, without writing it. */
  void check(Schedule schedule) {
    Objects.requireNonNull(schedule, "schedule");
    registry.require(schedule.worker());
    Cron.parse(schedule.cron(), schedule.zoneId());
    payloadCheck.accept(schedule.payload());
  }

  @Override
  public CompletionStage<ScheduleInfo> put(Schedule schedule) {
    return supply(() -> {
      check(schedule);
      return entities.put(schedule).thenCompose(r -> info(schedule.name(), r));
    });
  }

  @Override
  public CompletionStage<Optional<ScheduleInfo>> get(String name) {
    return supply(() -> {
      Schedule.validateName(name);
      return entities.get(name).thenCompose(r -> r instanceof ScheduleEntity.Current c
          ? info(c).thenApply(Optional::of)
          : CompletableFuture.completedFuture(Optional.<ScheduleInfo>empty()));
    });
  }

  @Override
  public CompletionStage<List<ScheduleInfo>> list() {
    return supply(() -> entities.names().thenCompose(names -> {
      List<CompletableFuture<Optional<ScheduleInfo>>> all = new ArrayList<>();
      names.forEach(n -> all.add(get(n).toCompletableFuture()));
      return CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).thenApply(v ->
          all.stream().map(CompletableFuture::join).flatMap(Optional::stream).toList());
    }));
  }

  @Override
  public CompletionStage<SchedulePage> page(int limit, String cursor) {
    return supply(() -> {
      SchedulePage.checkLimit(limit);
      String after = cursor == null ? null : afterName(cursor);
      return entities.names().thenCompose(names -> {
        List<String> rest = names.stream()
            .filter(n -> after == null || n.compareTo(after) > 0).sorted().toList();
        List<String> page = rest.subList(0, Math.min(limit, rest.size()));
        String next = rest.size() > limit ? Base64.getUrlEncoder().withoutPadding()
            .encodeToString(page.get(page.size() - 1).getBytes(StandardCharsets.UTF_8)) : null;
        List<CompletableFuture<Optional<ScheduleInfo>>> infos = new ArrayList<>();
        page.forEach(n -> infos.add(get(n).toCompletableFuture()));
        return CompletableFuture.allOf(infos.toArray(CompletableFuture[]::new)).thenApply(v ->
            new SchedulePage(infos.stream().map(CompletableFuture::join)
                .flatMap(Optional::stream).toList(), next));
      });
    });
  }

  /** The name a cursor points after (URL-safe Base64 of the last name of its page). */
  private static String afterName(String cursor) {
    try {
      return Schedule.validateName(new String(Base64.getUrlDecoder().decode(cursor),
          StandardCharsets.UTF_8));
    } catch (IllegalArgumentException | InvalidArgumentException malformed) {
      throw new InvalidArgumentException("cursor '" + cursor + "' is malformed: pass the"
          + " nextCursor of the previous page unchanged, or no cursor for the first page");
    }
  }

  @Override
  public CompletionStage<Done> delete(String name) {
    return supply(() -> {
      Schedule.validateName(name);
      return entities.delete(name).thenApply(r -> {
        if (r instanceof ScheduleEntity.Missing) {
          throw missing(name);
        }
        return Done.getInstance();
      });
    });
  }

  @Override
  public CompletionStage<ScheduleInfo> pause(String name) {
    return supply(() -> {
      Schedule.validateName(name);
      return entities.pause(name).thenCompose(r -> info(name, r));
    });
  }

  @Override
  public CompletionStage<ScheduleInfo> resume(String name) {
    return supply(() -> {
      Schedule.validateName(name);
      return entities.resume(name).thenCompose(r -> info(name, r));
    });
  }

  @Override
  public CompletionStage<RunHandle> trigger(String name) {
    return supply(() -> {
      Schedule.validateName(name);
      return entities.trigger(name).thenApply(r -> {
        if (r instanceof ScheduleEntity.Triggered t) {
          return attach.apply(t.runId(), t.traceId());
        }
        if (r instanceof ScheduleEntity.Failed f) {
          throw f.exception();
        }
        throw missing(name);
      });
    });
  }

  private CompletionStage<ScheduleInfo> info(String name, ScheduleEntity.Reply reply) {
    if (reply instanceof ScheduleEntity.Current c) {
      return info(c);
    }
    return CompletableFuture.failedFuture(missing(name));
  }

  /** The schedule with the status of each recent fire's run (null when it cannot be read). */
  private CompletionStage<ScheduleInfo> info(ScheduleEntity.Current c) {
    List<CompletableFuture<ScheduleRun>> runs = new ArrayList<>();
    for (ScheduleState.Fire f : c.recent()) {
      runs.add(f.runId() == null
          ? CompletableFuture.completedFuture(new ScheduleRun(null, f.fireTime(), null, f.error()))
          : supply(() -> lookup.apply(f.runId())).toCompletableFuture()
              .handle((r, t) -> new ScheduleRun(f.runId(), f.fireTime(),
                  t == null ? r.map(RunResult::status).orElse(null) : (RunStatus) null, null)));
    }
    return CompletableFuture.allOf(runs.toArray(CompletableFuture[]::new)).thenApply(v ->
        new ScheduleInfo(c.schedule(), c.paused(), c.nextFireTimes(),
            runs.stream().map(CompletableFuture::join).toList()));
  }

  private static UnknownScheduleException missing(String name) {
    return new UnknownScheduleException("schedule '" + name + "' does not exist");
  }

  /** {@code f}, a synchronous exception as a failed stage, failures as the API's exceptions. */
  private static <T> CompletionStage<T> supply(Supplier<CompletionStage<T>> f) {
    CompletionStage<T> stage;
    try {
      stage = f.get();
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
    return stage.exceptionallyCompose(t -> CompletableFuture.failedFuture(Failures.toException(t)));
  }
}
