package dev.troupe.client;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import java.util.List;

/**
 * One page of runs, newest first. {@code nextCursor} is null on the last page; pass it as
 * {@link RunQuery#cursor(String)} for the next one.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record RunPage(List<Run> runs, String nextCursor) {
  public RunPage {
    runs = runs == null ? List.of() : List.copyOf(runs);
  }
}
