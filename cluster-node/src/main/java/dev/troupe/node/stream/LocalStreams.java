package dev.troupe.node.stream;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The streams of the runs whose entities live on this node, by run id, so that a local
 * subscriber reads them directly rather than through a SourceRef. Written only by the worker
 * entities as their runs' streams come and go; read by the facade.
 */
public final class LocalStreams {
  private final Map<String, RunStream> streams = new ConcurrentHashMap<>();

  public Optional<RunStream> get(String runId) {
    return Optional.ofNullable(streams.get(runId));
  }

  public void add(RunStream stream) {
    streams.put(stream.runId(), stream);
  }

  public void remove(String runId) {
    streams.remove(runId);
  }
}
