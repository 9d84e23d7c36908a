package dev.troupe.api;

/**
 * One child run to start among several ({@link WorkerContext#callAll(java.util.List, int)}).
 *
 * @param payload a {@link com.fasterxml.jackson.databind.JsonNode}, or any value the context's
 *     {@link WorkerContext#json()} writes as JSON
 */
public record ChildCall(String worker, Object payload) {}
