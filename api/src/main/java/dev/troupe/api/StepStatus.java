package dev.troupe.api;

/**
 * Where a durable step of a run stands (see {@link RunStep}): it ran and its result is recorded
 * ({@code SUCCEEDED}), it threw ({@code FAILED}; a later attempt may run it again), or it
 * succeeded and its compensation has undone it since ({@code COMPENSATED}). A compensation's own
 * status is {@code SUCCEEDED} or {@code FAILED} once it ran.
 */
public enum StepStatus { SUCCEEDED, FAILED, COMPENSATED }
