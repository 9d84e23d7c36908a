package dev.troupe.api;

/** Why a run did not succeed. */
public enum ErrorCode {
  /** The handler reported a failure that is never retried. */
  PERMANENT_ERROR,
  /** The handler kept failing transiently until its attempts were exhausted. */
  TRANSIENT_ERROR,
  /** An attempt ran past its timeout. */
  TIMEOUT,
  /** Someone cancelled the run, or the node shut down before it finished. */
  CANCELLED,
  /** The run was refused (queue full, node shutting down). */
  REJECTED
}
