package dev.troupe.api;

import java.time.Instant;

/**
 * The schedule fire that started a run: the schedule's name and the fire time it was due at.
 * Each fire time of a schedule starts at most one run; this pair is that run's identity.
 */
public record ScheduleRef(String name, Instant fireTime) implements TroupeSerializable {}
