package dev.troupe.api;

import java.util.List;

/** One page of runs, newest first; {@code nextCursor} is null on the last page. */
public record RunPage(List<RunResult> runs, String nextCursor) implements TroupeSerializable {
  public RunPage {
    runs = List.copyOf(runs);
  }
}
