package dev.troupe.examples.composition;

import com.fasterxml.jackson.databind.JsonNode;
import dev.troupe.api.PermanentFailure;

/** Readers of payload fields that fail permanently, naming the field, on a bad value. */
final class Fields {
  private Fields() {}

  /** The optional integer {@code field} in 0..{@code max}: {@code defaultValue} when absent or null. */
  static int count(JsonNode payload, String field, int defaultValue, int max) {
    JsonNode node = payload.path(field);
    if (node.isMissingNode() || node.isNull()) {
      return defaultValue;
    }
    if (!node.canConvertToInt() || !node.isIntegralNumber() || node.asInt() < 0
        || node.asInt() > max) {
      throw new PermanentFailure("field '" + field + "' must be an integer from 0 to " + max
          + ", was " + node);
    }
    return node.asInt();
  }

  /** The required string {@code field}. */
  static String text(JsonNode payload, String field) {
    JsonNode node = payload.path(field);
    if (!node.isTextual()) {
      throw new PermanentFailure("field '" + field + "' must be a string, was "
          + (node.isMissingNode() ? "missing" : node.toString()));
    }
    return node.asText();
  }
}
