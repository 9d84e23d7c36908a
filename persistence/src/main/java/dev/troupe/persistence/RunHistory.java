package dev.troupe.persistence;

/**
 * Names shared by the run history's writer (the worker entities tag their journal entries) and its
 * reader (the projection into {@code troupe_runs}, see {@link RunHistoryStore}).
 */
public final class RunHistory {
  /** The tag of every journal entry of a worker entity, {@code Recorded} batches included. */
  public static final String TAG = "troupe-runs";

  /** The projection's name in {@code troupe_projection_offsets}. */
  public static final String PROJECTION = "troupe-runs";

  private RunHistory() {}
}
