package dev.troupe.api;

import java.time.Instant;

/**
 * One fire of a schedule and the run it started.
 *
 * @param runId the run, or null when the fire could not start one (then {@code error} says why)
 * @param status the run's status when it was read, or null when it is not known (yet)
 * @param error why no run was started, or null
 */
public record ScheduleRun(String runId, Instant fireTime, RunStatus status, String error)
    implements TroupeSerializable {}
