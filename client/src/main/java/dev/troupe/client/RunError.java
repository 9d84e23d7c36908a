package dev.troupe.client;

/**
 * Why a run did not succeed: {@code code} is {@code PERMANENT_ERROR}, {@code TRANSIENT_ERROR}
 * (attempts exhausted), {@code TIMEOUT}, {@code CANCELLED}, {@code REJECTED} or a label the
 * worker gave its failure; {@code message} is for humans.
 */
public record RunError(String code, String message) {}
