package dev.troupe.api;

/**
 * A typed, blocking-style job: the payload bound to {@code P} in, any object out (serialized by
 * Jackson as the run's result; {@code null} means a run that succeeded without a result).
 * Registered with {@link WorkerRegistrar#job}; runs on Troupe's blocking pool (virtual threads
 * when the JVM has them), never on an actor's thread, so it may block.
 *
 * <p>Failures: throw {@link PermanentFailure} or {@link TransientFailure} (unchecked); any other
 * exception is transient unless the definition's {@link ErrorClassifier} says otherwise. A
 * payload that does not bind to {@code P} fails the run permanently before the handler runs.
 *
 * @param <P> the payload type: a record or any class Jackson can bind; {@code JsonNode} for the
 *     raw payload
 */
@FunctionalInterface
public interface JobHandler<P> {
  Object run(P payload, WorkerContext ctx) throws Exception;
}
