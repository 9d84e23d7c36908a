package dev.troupe.api;

/**
 * The lifecycle of a run: {@code QUEUED → RUNNING → [RETRYING → RUNNING]* → SUCCEEDED | FAILED
 * | TIMED_OUT | CANCELLED}. Every accepted run reaches exactly one terminal status, recorded once.
 */
public enum RunStatus {
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
