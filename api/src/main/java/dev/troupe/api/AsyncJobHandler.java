package dev.troupe.api;

import java.util.concurrent.CompletionStage;

/**
 * A typed asynchronous job, for handlers that do their own non-blocking I/O: the payload bound
 * to {@code P} in, a stage of any object out (serialized by Jackson as the result; a {@code null}
 * value means no result). It must not block: it runs on Troupe's handler dispatcher. Failures as
 * for {@link JobHandler}, thrown or as the stage's failure.
 */
@FunctionalInterface
public interface AsyncJobHandler<P> {
  CompletionStage<?> run(P payload, WorkerContext ctx) throws Exception;
}
