package dev.troupe.persistence;

import io.vavr.Tuple2;
import io.vavr.collection.HashMap;
import io.vavr.collection.Iterator;
import io.vavr.collection.TreeMap;
import java.util.ArrayList;
import java.util.List;

/**
 * The queued runs of a worker entity, in the order they may start: higher priority first; within
 * one priority, round-robin across lanes (one lane per concurrency key, and one for the runs
 * without a key); first in, first out within a lane. A lane that has just been served goes to the
 * back of its priority's turn, so a key with 100,000 queued runs delays another key's run by one
 * start at most. Immutable (Vavr trees and hash tries): enqueueing, serving and removing any run
 * (a cancel) cost O(log n); finding the next run costs a walk over the lanes that the caller
 * skips (those at a limit).
 *
 * <p>A run queued again after its attempt was lost (an interruption) was chosen before: it goes
 * ahead of every priority, into a level of resumed runs served first (fair across keys too), at
 * the front of its lane, and its lane at the front of that level's turn.
 *
 * <p>The order is a fold of what happened to the runs: a run enqueued goes to the back of its
 * lane, a resumed one to the front, a served lane to the back. {@link #toList} lists the runs so
 * that enqueueing them again in that order ({@link #enqueueResumed} for the resumed ones)
 * rebuilds the same order (a snapshot's form).
 */
public final class ReadyQueue {
  /** The lane of the runs without a concurrency key (a key is never empty). */
  public static final String NO_KEY = "";

  /** A lane at the head of its turn: its first run, and the lane's key ({@link #NO_KEY}). */
  public record Head(String runId, String lane) {}

  /** The level of resumed runs: before every priority's (levels are keyed by minus priority). */
  private static final int RESUMED = Integer.MIN_VALUE;

  private record Lane(long turn, TreeMap<Long, String> runs) {}

  /** One priority's lanes: their turn order (turn → lane) and each lane by key. */
  private record Level(TreeMap<Long, String> turns, HashMap<String, Lane> lanes) {
    static final Level EMPTY = new Level(TreeMap.empty(), HashMap.empty());
  }

  private record Place(int level, String lane, long seq) {}

  public static final ReadyQueue EMPTY = new ReadyQueue(TreeMap.empty(), HashMap.empty(), 0, 0);

  /** Levels by minus their priority, so that the highest priority comes first; resumed first. */
  private final TreeMap<Integer, Level> levels;
  private final HashMap<String, Place> places;
  /** The last number given at the back (counting up) and at the front (counting down). */
  private final long back;
  private final long front;

  private ReadyQueue(TreeMap<Integer, Level> levels, HashMap<String, Place> places, long back,
      long front) {
    this.levels = levels;
    this.places = places;
    this.back = back;
    this.front = front;
  }

  /** The lane of {@code concurrencyKey} (null: the lane of runs without a key). */
  public static String laneOf(String concurrencyKey) {
    return concurrencyKey == null ? NO_KEY : concurrencyKey;
  }

  public int size() {
    return places.size();
  }

  public boolean isEmpty() {
    return places.isEmpty();
  }

  public boolean contains(String runId) {
    return places.containsKey(runId);
  }

  /** With {@code runId} last in its lane; a new lane is last in its priority's turn. */
  public ReadyQueue enqueue(String runId, int priority, String concurrencyKey) {
    return add(runId, -priority, laneOf(concurrencyKey), false);
  }

  /**
   * With {@code runId}, whose attempt was lost, first of all: at the front of its lane among the
   * resumed runs, and its lane first in their turn.
   */
  public ReadyQueue resume(String runId, String concurrencyKey) {
    return add(runId, RESUMED, laneOf(concurrencyKey), true);
  }

  /** With {@code runId} last among the resumed runs of its lane: how a snapshot is read back. */
  public ReadyQueue enqueueResumed(String runId, String concurrencyKey) {
    return add(runId, RESUMED, laneOf(concurrencyKey), false);
  }

  private ReadyQueue add(String runId, int levelKey, String lane, boolean first) {
    if (places.containsKey(runId)) {
      return this;
    }
    long b = back;
    long f = front;
    long seq = first ? --f : ++b;
    Level level = levels.getOrElse(levelKey, Level.EMPTY);
    Lane l = level.lanes().getOrElse(lane, null);
    TreeMap<Long, String> turns = level.turns();
    long turn;
    if (l == null) {
      turn = first ? --f : ++b;
      l = new Lane(turn, TreeMap.empty());
    } else if (first) {
      turns = turns.remove(l.turn());
      turn = --f;
    } else {
      turn = l.turn();
    }
    Lane updated = new Lane(turn, l.runs().put(seq, runId));
    Level next = new Level(turns.put(turn, lane), level.lanes().put(lane, updated));
    return new ReadyQueue(levels.put(levelKey, next),
        places.put(runId, new Place(levelKey, lane, seq)), b, f);
  }

  /** Without {@code runId} (a queued run that was cancelled, or that started out of turn). */
  public ReadyQueue remove(String runId) {
    return without(runId, false);
  }

  /** {@code runId} started: it leaves, and its lane goes to the back of its priority's turn. */
  public ReadyQueue served(String runId) {
    return without(runId, true);
  }

  private ReadyQueue without(String runId, boolean toBack) {
    Place p = places.getOrElse(runId, null);
    if (p == null) {
      return this;
    }
    Level level = levels.get(p.level()).get();
    Lane l = level.lanes().get(p.lane()).get();
    TreeMap<Long, String> runs = l.runs().remove(p.seq());
    TreeMap<Long, String> turns = level.turns().remove(l.turn());
    HashMap<String, Lane> lanes;
    long b = back;
    if (runs.isEmpty()) {
      lanes = level.lanes().remove(p.lane());
    } else {
      long turn = toBack ? ++b : l.turn();
      turns = turns.put(turn, p.lane());
      lanes = level.lanes().put(p.lane(), new Lane(turn, runs));
    }
    TreeMap<Integer, Level> ls = lanes.isEmpty() ? levels.remove(p.level())
        : levels.put(p.level(), new Level(turns, lanes));
    return new ReadyQueue(ls, places.remove(runId), b, front);
  }

  /**
   * The first run of each lane, in the order the lanes are served: the resumed runs', then
   * priorities from the highest, each level's lanes in their turn. Lazy: a caller that takes the first head it can start
   * walks no further.
   */
  public Iterator<Head> heads() {
    return levels.iterator().flatMap(level -> level._2().turns().iterator().map(turn -> {
      String lane = turn._2();
      Tuple2<Long, String> first = level._2().lanes().get(lane).get().runs().head();
      return new Head(first._2(), lane);
    }));
  }

  /**
   * Every queued run: the resumed ones, then priorities from the highest, each level's lanes in
   * their turn, each lane first to last. Enqueueing them in this order into an empty queue rebuilds this order.
   */
  public List<String> toList() {
    List<String> out = new ArrayList<>(places.size());
    for (Tuple2<Integer, Level> level : levels) {
      for (Tuple2<Long, String> turn : level._2().turns()) {
        level._2().lanes().get(turn._2()).get().runs().values().forEach(out::add);
      }
    }
    return out;
  }

  /** {@code byLane} with the count of {@code r}'s lane changed by {@code n}; no zero is kept. */
  static HashMap<String, Integer> countIn(HashMap<String, Integer> byLane, RunRecord r, int n) {
    String lane = laneOf(r.spec().concurrencyKey());
    int count = byLane.getOrElse(lane, 0) + n;
    return count <= 0 ? byLane.remove(lane) : byLane.put(lane, count);
  }
}
