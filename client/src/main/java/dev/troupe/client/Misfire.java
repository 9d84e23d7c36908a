package dev.troupe.client;

import com.fasterxml.jackson.annotation.JsonEnumDefaultValue;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * What a schedule does with fire times it missed while no node could fire it (written {@code
 * "skip"} and {@code "run-once"} in JSON). A policy this client does not know yet (a newer node)
 * reads as {@link #UNKNOWN} rather than failing the whole answer; it cannot be sent.
 */
public enum Misfire {
  /** Missed fire times start nothing; the schedule waits for its next fire time (the default). */
  @JsonProperty("skip")
  SKIP,
  /** The missed fire times together start one run, for the latest of them. */
  @JsonProperty("run-once")
  RUN_ONCE,
  @JsonEnumDefaultValue
  UNKNOWN
}
