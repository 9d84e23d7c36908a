package dev.troupe.client;

import com.fasterxml.jackson.annotation.JsonEnumDefaultValue;

/**
 * A run's status as the node reports it: {@code [SCHEDULED | WAITING →] QUEUED → RUNNING →
 * [RETRYING → RUNNING]* → SUCCEEDED | FAILED | TIMED_OUT | CANCELLED}. A status this client does
 * not know yet (a newer node) reads as {@link #UNKNOWN} rather than failing the whole answer.
 */
public enum RunStatus {
  /** Accepted with a start time (a delay) not reached yet. */
  SCHEDULED,
  /** Accepted with runs it depends on that have not all succeeded yet. */
  WAITING,
  QUEUED,
  RUNNING,
  RETRYING,
  SUCCEEDED,
  FAILED,
  TIMED_OUT,
  CANCELLED,
  /** Not a status of the node: one this client does not know; never a filter. */
  @JsonEnumDefaultValue
  UNKNOWN;

  /** Whether the run has ended: the node records exactly one terminal status per run. */
  public boolean isTerminal() {
    return this == SUCCEEDED || this == FAILED || this == TIMED_OUT || this == CANCELLED;
  }
}
