package dev.troupe.node.run;

import com.fasterxml.jackson.databind.JsonNode;
import dev.troupe.api.InvalidArgumentException;

/**
 * A checkpoint or an emitted event that the attempt's context refused before recording it: past
 * the run data's {@link dev.troupe.node.config.JsonLimits} or its bound in bytes ({@link
 * dev.troupe.node.config.DataBytes}). The handler sees an {@link InvalidArgumentException} it may
 * catch; left uncaught it fails the run for good with this message, since the same handler would
 * produce the same data on every attempt.
 */
final class OutputRefused extends InvalidArgumentException {
  private OutputRefused(String message) {
    super(message);
  }

  /** @throws OutputRefused when the checkpoint {@code data} is past the run data's limits */
  static void checkpoint(RunServices services, JsonNode data) {
    try {
      services.settings.json().check("a checkpoint", data);
      services.settings.output().checkpoint(services.mapper, data);
    } catch (InvalidArgumentException e) {
      throw new OutputRefused(e.getMessage());
    }
  }

  /** @throws OutputRefused when an event's {@code data} to emit is past the run data's limits */
  static void emit(RunServices services, String type, JsonNode data) {
    try {
      services.settings.json().check("an emitted " + type, data);
      services.settings.output().emit(services.mapper, type, data);
    } catch (InvalidArgumentException e) {
      throw new OutputRefused(e.getMessage());
    }
  }
}
