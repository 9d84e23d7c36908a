package dev.troupe.examples.workers;

import com.fasterxml.jackson.databind.JsonNode;
import dev.troupe.api.PermanentFailure;

/** Lenient readers of payload fields that fail permanently, naming the field, on bad values. */
final class Payloads {
  private Payloads() {}

  /**
   * Reads the optional non-negative integer {@code field}: {@code defaultValue} when it is absent
   * or null; numbers and numeric strings are read like {@link JsonNode#asInt(int)}.
   *
   * @throws PermanentFailure naming the field when the value is negative, not a number, or too
   *     large for an int
   */
  static int nonNegativeInt(JsonNode payload, String field, int defaultValue) {
    JsonNode node = payload.path(field);
    if (node.isMissingNode() || node.isNull()) {
      return defaultValue;
    }
    // -1 stands for every unreadable value, so that one check rejects them with the negatives
    int value = node.isNumber() && !node.canConvertToInt() ? -1 : node.asInt(-1);
    if (value < 0) {
      throw new PermanentFailure(
          "field '" + field + "' must be a non-negative integer, was " + node);
    }
    return value;
  }
}
