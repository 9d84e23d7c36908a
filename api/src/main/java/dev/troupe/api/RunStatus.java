package dev.troupe.api;

/**
 * The lifecycle of a run: {@code [SCHEDULED | WAITING →] QUEUED → RUNNING → [RETRYING →
 * RUNNING]* → SUCCEEDED | FAILED | TIMED_OUT | CANCELLED}. Every accepted run reaches exactly one
 * terminal status, recorded once.
 */
public enum RunStatus {
  /** Accepted with a start time ({@code runAt} or {@code delay}) not yet reached. */
  SCHEDULED,
  /** Accepted with runs it depends on ({@code dependsOn}) not all succeeded yet. */
  WAITING,
  QUEUED,
  RUNNING,
  RETRYING,
  SUCCEEDED,
  FAILED,
  TIMED_OUT,
  CANCELLED;

  public boolean isTerminal() {
    return this == SUCCEEDED || this == FAILED || this == TIMED_OUT || this == CANCELLED;
  }
}
