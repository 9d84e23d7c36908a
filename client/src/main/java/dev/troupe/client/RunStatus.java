package dev.troupe.client;

import com.fasterxml.jackson.annotation.JsonEnumDefaultValue;

/**
 * A run's status as the node reports it: {@code QUEUED → RUNNING → [RETRYING → RUNNING]* →
 * SUCCEEDED | FAILED | TIMED_OUT | CANCELLED}. A status this client does not know yet (a newer
 * node) reads as {@link #UNKNOWN} rather than failing the whole answer.
 */
public enum RunStatus {
  QUEUED,
  RUNNING,
  RETRYING,
  SUCCEEDED,
  FAILED,
  TIMED_OUT,
  CANCELLED,
  @JsonEnumDefaultValue
  UNKNOWN;

  /** Whether the run has ended: the node records exactly one terminal status per run. */
  public boolean isTerminal() {
    return this == SUCCEEDED || this == FAILED || this == TIMED_OUT || this == CANCELLED;
  }
}
