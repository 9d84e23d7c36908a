package dev.troupe.node;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.troupe.api.InvalidArgumentException;
import dev.troupe.api.RunEvent;
import dev.troupe.api.RunRejectedException;
import dev.troupe.api.RunResult;
import dev.troupe.api.SlowSubscriberException;
import dev.troupe.api.UnknownRunException;
import dev.troupe.node.config.TroupeSettings;
import dev.troupe.node.entity.EntityClient;
import dev.troupe.node.history.HistoryReads;
import dev.troupe.node.stream.LocalStreams;
import dev.troupe.node.stream.RunStream;
import dev.troupe.node.stream.StreamNotices;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.japi.Pair;
import org.apache.pekko.japi.pf.PFBuilder;
import org.apache.pekko.pattern.Patterns;
import org.apache.pekko.stream.Graph;
import org.apache.pekko.stream.SourceShape;
import org.apache.pekko.stream.javadsl.Source;

/**
 * A run's event stream as a reader gets it on any node: live from the run's stream, wherever its
 * entity lives (directly when that is this node, else through a SourceRef), and what that no
 * longer holds of a durable stream from the run history; a run its entity no longer knows at
 * all, from the history alone.
 */
final class RunStreams {
  private static final Duration STORAGE_POLL = Duration.ofMillis(200);
  /** Resumes in a row after the run's stream moved, before a reader is told it ended. */
  private static final int RESUMES = 5;

  private final ActorSystem<?> system;
  private final TroupeSettings settings;
  private final ObjectMapper mapper;
  private final LocalStreams local;
  private final EntityClient entities;
  private final Optional<HistoryReads> history;

  RunStreams(ActorSystem<?> system, TroupeSettings settings, ObjectMapper mapper,
      LocalStreams local, EntityClient entities, Optional<HistoryReads> history) {
    this.system = system;
    this.settings = settings;
    this.mapper = mapper;
    this.local = local;
    this.entities = entities;
    this.history = history;
  }

  /**
   * The run's events after {@code afterSeq}, ending after the terminal event. Each
   * materialization is a new subscription.
   */
  Source<RunEvent, NotUsed> stream(String runId, long afterSeq) {
    Source<RunEvent, NotUsed> live = following(runId, afterSeq);
    if (history.isPresent()) {
      HistoryReads h = history.get();
      live = live
          .flatMapConcat(e -> StreamNotices.isStoredGap(e)
              ? fromHistory(h, runId, e.data().get("gap").get("from").asLong() - 1, e.seq(), true)
              : Source.single(e))
          .recoverWithRetries(1, UnknownRunException.class,
              () -> fromHistory(h, runId, afterSeq, Long.MAX_VALUE, false)
                  .orElse(outcomeFromHistory(h, runId)));
    }
    return live.takeWhile(e -> !e.isTerminal(), true);
  }

  /** Subscribers attached to the live stream of {@code runId} on this node (0 when none here). */
  int subscribers(String runId) {
    return local.get(runId).map(RunStream::subscriberCount).orElse(0);
  }

  /**
   * The live events after {@code afterSeq}, following the run's stream when its entity moves to
   * another node (a shard hand-off), restarts or loses its node: up to {@link #RESUMES} times in
   * a row, each time resubscribing after the last event delivered, where the entity runs next.
   */
  private Source<RunEvent, NotUsed> following(String runId, long afterSeq) {
    return Source.fromMaterializer((mat, attributes) ->
            following(runId, afterSeq, new AtomicLong(afterSeq), RESUMES))
        .mapMaterializedValue(m -> NotUsed.getInstance());
  }

  private Source<RunEvent, NotUsed> following(String runId, long afterSeq, AtomicLong last,
      int resumesLeft) {
    return live(runId, afterSeq)
        .map(e -> {
          last.accumulateAndGet(e.seq(), Math::max);
          return e;
        })
        .recoverWithRetries(1, new PFBuilder<Throwable, Graph<SourceShape<RunEvent>, NotUsed>>()
            .match(Throwable.class, t -> resumesLeft > 0 && moved(t),
                t -> following(runId, last.get(), last, resumesLeft - 1))
            .build());
  }

  /**
   * Whether a failure of the live stream is one to resume after: the entity stopped here or
   * moved, the node that served a SourceRef was lost, or resubscribing found no entity in time
   * (it is still starting again). A reader that is too slow or one too many, a run its entity
   * does not know (the history answers then) and a refused request are not.
   */
  private static boolean moved(Throwable t) {
    return !(t instanceof SlowSubscriberException || t instanceof UnknownRunException
        || t instanceof InvalidArgumentException
        || t instanceof RunRejectedException r
            && r.reason() != RunRejectedException.Reason.UNAVAILABLE);
  }

  /** The run's stream's events after {@code afterSeq}: local, or through a SourceRef. */
  private Source<RunEvent, NotUsed> live(String runId, long afterSeq) {
    Optional<RunStream> here = local.get(runId);
    if (here.isPresent()) {
      return here.get().subscribe(afterSeq);
    }
    CompletionStage<Source<RunEvent, NotUsed>> source =
        entities.subscribe(runId, afterSeq).thenApply(ref -> ref.getSource());
    return Source.completionStageSource(source).mapMaterializedValue(m -> NotUsed.getInstance());
  }

  /**
   * Events {@code (afterSeq, toSeq]} of a durable stream from the run history, page by page (on
   * the history's dispatcher). What is missing in front of a page is waited for up to {@code
   * storage-wait} when {@code waitForLag} (the projection follows the journal by about half a
   * second) and then reported as a gap notice, as is a hole between stored events (a part of the
   * stream that was not durable). Ends at {@code toSeq}, or at the last stored event.
   */
  private Source<RunEvent, NotUsed> fromHistory(HistoryReads h, String runId, long afterSeq,
      long toSeq, boolean waitForLag) {
    long deadline = System.nanoTime() + settings.storageWait().toNanos();
    return Source.unfoldAsync(afterSeq, after -> after >= toSeq
            ? CompletableFuture.completedFuture(Optional.empty())
            : storedPage(h, runId, after, toSeq, waitForLag, deadline).thenApply(page ->
                page.isEmpty()
                    ? Optional.empty()
                    : Optional.of(Pair.create(page.get(page.size() - 1).seq(), page))))
        .mapConcat(page -> page);
  }

  private CompletionStage<List<RunEvent>> storedPage(HistoryReads h, String runId, long after,
      long toSeq, boolean waitForLag, long deadline) {
    return h.read(() -> readStored(h, runId, after, toSeq)).thenCompose(page -> {
      boolean missingInFront = page.isEmpty() ? toSeq != Long.MAX_VALUE
          : page.get(0).seq() > after + 1;
      if (!missingInFront) {
        return CompletableFuture.completedFuture(withGaps(page, after));
      }
      if (waitForLag && System.nanoTime() < deadline) {
        return Patterns.after(STORAGE_POLL, system.classicSystem().scheduler(),
            system.executionContext(),
            () -> storedPage(h, runId, after, toSeq, true, deadline));
      }
      long to = page.isEmpty() ? toSeq : page.get(0).seq() - 1;
      List<RunEvent> out = new ArrayList<>();
      out.add(StreamNotices.gap(mapper, after + 1, to, false));
      out.addAll(withGaps(page, to));
      return CompletableFuture.completedFuture(out);
    });
  }

  /** A page of stored events, the terminal one with its data (the finished run). Blocking. */
  private List<RunEvent> readStored(HistoryReads h, String runId, long after, long toSeq) {
    List<RunEvent> page = h.eventsNow(runId, after, toSeq, settings.storagePage());
    List<RunEvent> out = new ArrayList<>(page.size());
    for (RunEvent e : page) {
      if (e.isTerminal() && e.data() == null) {
        RunResult run = h.findNow(runId).orElseThrow(() -> new IllegalStateException(
            "troupe_run_events holds the end of run " + runId + " but troupe_runs not the run"));
        e = new RunEvent(e.seq(), e.type(), mapper.valueToTree(run), e.at());
      }
      out.add(e);
    }
    return out;
  }

  /** {@code page} with a gap notice in each hole of its sequence numbers after {@code after}. */
  private List<RunEvent> withGaps(List<RunEvent> page, long after) {
    List<RunEvent> out = new ArrayList<>(page.size());
    long expected = after + 1;
    for (RunEvent e : page) {
      if (e.seq() > expected) {
        out.add(StreamNotices.gap(mapper, expected, e.seq() - 1, false));
      }
      out.add(e);
      expected = e.seq() + 1;
    }
    return out;
  }

  /** A run the history knows but whose stream it does not keep: a gap notice and its outcome. */
  private Source<RunEvent, NotUsed> outcomeFromHistory(HistoryReads h, String runId) {
    return Source.completionStage(h.find(runId))
        .mapConcat(found -> StreamNotices.outcomeOnly(mapper, found.orElseThrow(() ->
                new UnknownRunException("run " + runId
                    + " is not known to its entity nor to the run history")),
            "the run's events are not kept; only its outcome is"));
  }
}
