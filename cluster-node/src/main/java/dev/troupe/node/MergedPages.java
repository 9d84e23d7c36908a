package dev.troupe.node;

import dev.troupe.api.RunPage;
import dev.troupe.api.RunResult;
import dev.troupe.persistence.RunIds;
import dev.troupe.persistence.history.PageCursor;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Pages of runs without a status filter: the run history's page merged with the worker entities'
 * active runs after the same cursor, so that a run shows as soon as its entity has it, even
 * before the history (which follows the journal shortly behind) does. A run in both shows as its
 * entity has it, the fresher; the order is the history's ({@link PageCursor#NEWEST_FIRST}), and
 * so is the cursor: a run's place in that order never changes, so the next page, merged again,
 * continues exactly after the last run shown, whichever source each run came from.
 */
final class MergedPages {
  private MergedPages() {}

  /**
   * The first {@code limit} runs of the history's page and the entities' answers together.
   * Each source holds the first runs after the cursor in the same order (the history {@code
   * limit}, an entity one more), so the first {@code limit} of their union are the page's.
   */
  static RunPage merge(RunPage history, Collection<List<RunResult>> active, int limit) {
    Map<String, RunResult> byId = new HashMap<>();
    history.runs().forEach(r -> byId.put(r.runId(), r));
    active.forEach(runs -> runs.forEach(r -> byId.put(r.runId(), r)));
    List<RunResult> all = byId.values().stream().sorted(PageCursor.NEWEST_FIRST).toList();
    if (all.size() <= limit && history.nextCursor() == null) {
      return new RunPage(all, null);
    }
    List<RunResult> page = all.subList(0, Math.min(limit, all.size()));
    return new RunPage(page, PageCursor.after(page.get(page.size() - 1)).encode());
  }

  /**
   * The runs of {@code page} that only the history gave, not finished there, whose entity
   * answered without them: it finished them since (or accepted them after it answered), so the
   * history's version is stale and the entity's is to be read.
   */
  static List<String> stale(RunPage page, Map<String, List<RunResult>> answers) {
    Set<String> live = answers.values().stream().flatMap(List::stream)
        .map(RunResult::runId).collect(Collectors.toSet());
    return page.runs().stream()
        .filter(r -> !r.status().isTerminal() && !live.contains(r.runId())
            && answers.containsKey(RunIds.entityOf(r.runId())))
        .map(RunResult::runId).toList();
  }

  /** {@code page} with each run of {@code fresher} in place of its older version. */
  static RunPage replace(RunPage page, Map<String, RunResult> fresher) {
    return new RunPage(page.runs().stream()
        .map(r -> fresher.getOrDefault(r.runId(), r)).toList(), page.nextCursor());
  }
}
