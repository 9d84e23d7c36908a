package dev.troupe.api;

import java.util.List;

/**
 * One page of schedules, by name. A page may hold fewer than its limit while more follow (a
 * schedule deleted meanwhile is left out); only a null {@code nextCursor} means the last page.
 *
 * @param schedules the schedules of this page, by name
 * @param nextCursor the cursor of the next page, or null when this is the last
 */
public record SchedulePage(List<ScheduleInfo> schedules, String nextCursor) {
  /** The largest page. */
  public static final int MAX_LIMIT = 500;

  public SchedulePage {
    schedules = schedules == null ? List.of() : List.copyOf(schedules);
  }

  /**
   * {@code limit} if it is a page size.
   *
   * @throws InvalidArgumentException when it is not between 1 and {@link #MAX_LIMIT}
   */
  public static int checkLimit(int limit) {
    if (limit < 1 || limit > MAX_LIMIT) {
      throw new InvalidArgumentException("limit must be between 1 and " + MAX_LIMIT + ", was "
          + limit);
    }
    return limit;
  }
}
