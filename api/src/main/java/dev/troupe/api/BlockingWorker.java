package dev.troupe.api;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A blocking worker handler. Troupe runs it on its own bounded blocking dispatcher
 * ({@code troupe.blocking-dispatcher}), never on an actor's thread, and interrupts the thread
 * on cancel or timeout. Same result and failure rules as {@link Worker}.
 */
@FunctionalInterface
public interface BlockingWorker {
  JsonNode run(WorkerContext ctx) throws Exception;
}
