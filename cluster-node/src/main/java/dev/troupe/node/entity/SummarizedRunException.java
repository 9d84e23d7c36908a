package dev.troupe.node.entity;

import dev.troupe.api.UnknownRunException;

/**
 * The run has finished and its entity keeps only its summary ({@code
 * troupe.worker.retained-run-bytes}): the run history has it whole. An {@link
 * UnknownRunException} to every reader that does not look further, as for a run the entity no
 * longer keeps at all.
 */
public final class SummarizedRunException extends UnknownRunException {
  public SummarizedRunException(String message) {
    super(message);
  }
}
