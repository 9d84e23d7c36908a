package dev.troupe.testkit;

/**
 * A progress message among the emits: {@code {"progress": percent, "message": message}}. The
 * percent is an {@code Integer} when it is whole, as a node's stream carries it.
 */
public record Progress(Number percent, String message) {}
