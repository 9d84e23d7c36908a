package dev.troupe.node.entity;

import dev.troupe.persistence.WorkerEvent;
import dev.troupe.persistence.WorkerState;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * The decision on one batch of commands: its events, applied to the state as they are decided,
 * and the effects to run once they are written (persist, then act). Made and used on the entity's
 * thread only.
 */
final class Decision {
  private final WorkerState.Limits limits;
  private WorkerState state;
  private final List<WorkerEvent> events = new ArrayList<>();
  private final List<Consumer<WorkerState>> effects = new ArrayList<>();
  /** The time of every event of the batch. */
  final Instant now;

  Decision(WorkerState state, WorkerState.Limits limits, Instant now) {
    this.state = state;
    this.limits = limits;
    this.now = now;
  }

  /** The state with every event decided so far. */
  WorkerState state() {
    return state;
  }

  /** Records {@code e}: it is written with the batch, and the state decided on goes on from it. */
  void persist(WorkerEvent e) {
    events.add(e);
    state = state.apply(e, limits);
  }

  /** Runs {@code effect} once the batch is written (at once when it wrote nothing). */
  void then(Runnable effect) {
    effects.add(s -> effect.run());
  }

  /** Runs {@code effect} with the state after the batch, once it is written. */
  void thenWithState(Consumer<WorkerState> effect) {
    effects.add(effect);
  }

  List<WorkerEvent> events() {
    return events;
  }

  /** Runs the effects, in the order they were decided. */
  void act(WorkerState written) {
    effects.forEach(e -> e.accept(written));
  }
}
