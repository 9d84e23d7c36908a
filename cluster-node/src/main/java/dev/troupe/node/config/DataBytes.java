package dev.troupe.node.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.Config;
import dev.troupe.api.InvalidArgumentException;
import dev.troupe.persistence.JsonBytes;

/**
 * The bytes a run's own output may take, as compact JSON (the form the journal writes): its
 * result ({@code troupe.worker.max-result-bytes}), a checkpoint ({@code max-checkpoint-bytes}),
 * a durable step's result ({@code max-step-result-bytes}) and one event it emits on its stream
 * ({@code troupe.worker.stream.max-emit-bytes}). Each is journaled, held by the run's entity (the
 * result and checkpoint until the run is let go, an emit in the stream's replay buffer) and read
 * back at every recovery, so what one handler produces must be bounded for the entity and the
 * node to be. Checked, with the {@link JsonLimits}, before anything is recorded.
 */
public record DataBytes(long maxResultBytes, long maxCheckpointBytes, long maxStepResultBytes,
    long maxEmitBytes) {
  static final String RESULT = "troupe.worker.max-result-bytes";
  static final String CHECKPOINT = "troupe.worker.max-checkpoint-bytes";
  static final String STEP_RESULT = "troupe.worker.max-step-result-bytes";
  static final String EMIT = "troupe.worker.stream.max-emit-bytes";

  public DataBytes {
    positive(RESULT, maxResultBytes);
    positive(CHECKPOINT, maxCheckpointBytes);
    positive(STEP_RESULT, maxStepResultBytes);
    positive(EMIT, maxEmitBytes);
  }

  /** The bounds of the node's {@code troupe} config. */
  static DataBytes fromConfig(Config troupe) {
    Config w = troupe.getConfig("worker");
    return new DataBytes(w.getBytes("max-result-bytes"), w.getBytes("max-checkpoint-bytes"),
        w.getBytes("max-step-result-bytes"), w.getBytes("stream.max-emit-bytes"));
  }

  /** @throws InvalidArgumentException when the handler's result {@code node} is past its bound */
  public void result(ObjectMapper mapper, JsonNode node) {
    check(mapper, "the handler's result", node, maxResultBytes, RESULT);
  }

  /** @throws InvalidArgumentException when the checkpoint {@code node} is past its bound */
  public void checkpoint(ObjectMapper mapper, JsonNode node) {
    check(mapper, "a checkpoint", node, maxCheckpointBytes, CHECKPOINT);
  }

  /**
   * @throws InvalidArgumentException when the result {@code node} of step {@code name} is past
   *     its bound
   */
  public void stepResult(ObjectMapper mapper, String name, JsonNode node) {
    check(mapper, "the result of step '" + name + "'", node, maxStepResultBytes, STEP_RESULT);
  }

  /** @throws InvalidArgumentException when an emitted event's {@code data} is past its bound */
  public void emit(ObjectMapper mapper, String type, JsonNode data) {
    check(mapper, "an emitted " + type, data, maxEmitBytes, EMIT);
  }

  /**
   * The size of {@code node} as {@code mapper} writes it, in bytes, counted without being kept;
   * 0 for none. The one measure of run data: payloads at the call, and a run's output.
   *
   * @throws InvalidArgumentException naming {@code what}, its size, {@code max} and {@code
   *     setting} when it is over {@code max}, or when it cannot be written as JSON
   */
  public static long check(ObjectMapper mapper, String what, JsonNode node, long max,
      String setting) {
    long size;
    try {
      size = JsonBytes.of(mapper, node);
    } catch (JsonProcessingException e) {
      throw new InvalidArgumentException(what + " cannot be written as JSON: "
          + e.getOriginalMessage());
    }
    if (size > max) {
      throw new InvalidArgumentException(what + " is " + size + " bytes, over the limit of " + max
          + " (" + setting + ")");
    }
    return size;
  }

  private static void positive(String setting, long bytes) {
    if (bytes < 1) {
      throw new IllegalArgumentException(setting + " must be at least 1 byte, was " + bytes);
    }
  }
}
