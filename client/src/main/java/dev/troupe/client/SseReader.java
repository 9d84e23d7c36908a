package dev.troupe.client;

import java.io.BufferedReader;
import java.io.IOException;

/**
 * Reads server-sent events as the SSE specification says: {@code field: value} lines, a blank
 * line ends an event, {@code :} starts a comment (the node's keep-alive), several {@code data:}
 * lines join with newlines, and an event without {@code event:} is a {@code message}.
 */
final class SseReader {
  /** One event: its id (null when the node sent none), type and data. */
  record Event(Long id, String type, String data) {}

  private final BufferedReader lines;

  SseReader(BufferedReader lines) {
    this.lines = lines;
  }

  /** The next event, or null when the stream ends. */
  Event next() throws IOException {
    Long id = null;
    String type = null;
    StringBuilder data = null;
    String line;
    while ((line = lines.readLine()) != null) {
      if (line.isEmpty()) {
        if (data != null) {
          return new Event(id, type == null ? "message" : type, data.toString());
        }
        id = null; // a block without data (only a comment) is no event
        type = null;
        continue;
      }
      if (line.startsWith(":")) {
        continue;
      }
      int colon = line.indexOf(':');
      String field = colon < 0 ? line : line.substring(0, colon);
      String value = colon < 0 ? "" : line.substring(colon + 1);
      if (value.startsWith(" ")) {
        value = value.substring(1);
      }
      switch (field) {
        case "id" -> id = parseId(value);
        case "event" -> type = value;
        case "data" -> data = data == null ? new StringBuilder(value) : data.append('\n').append(value);
        default -> { } // "retry" and unknown fields: the client has its own reconnect policy
      }
    }
    return null;
  }

  private static Long parseId(String value) {
    try {
      return value.isBlank() ? null : Long.parseLong(value.trim());
    } catch (NumberFormatException e) {
      throw new TroupeException("the node sent an event id that is not a sequence number: " + value);
    }
  }
}
