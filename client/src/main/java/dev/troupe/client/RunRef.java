package dev.troupe.client;

/**
 * A run the node accepted: its id, and whether an earlier call with the same idempotency key had
 * already started it ({@code existing}), in which case no second run was made.
 */
public record RunRef(String runId, String worker, boolean existing) {}
