package dev.troupe.persistence.history;

import dev.troupe.api.InvalidArgumentException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * Where a page of runs ends: the creation time and id of its last run, opaque to callers
 * (URL-safe Base64 of {@code <epochMillis>:<runId>}).
 */
record PageCursor(long createdAtMillis, String runId) {

  String encode() {
    return Base64.getUrlEncoder().withoutPadding()
        .encodeToString((createdAtMillis + ":" + runId).getBytes(StandardCharsets.UTF_8));
  }

  /** @throws InvalidArgumentException when {@code cursor} is not one that {@link #encode} wrote */
  static PageCursor decode(String cursor) {
    try {
      String s = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
      int colon = s.indexOf(':');
      long millis = Long.parseLong(s.substring(0, colon));
      String runId = s.substring(colon + 1);
      if (millis >= 0 && !runId.isEmpty() && runId.length() <= 128) {
        return new PageCursor(millis, runId);
      }
    } catch (IllegalArgumentException | StringIndexOutOfBoundsException e) {
      // falls through to the error below
    }
    throw new InvalidArgumentException("cursor '" + cursor + "' is malformed: pass the"
        + " nextCursor of the previous page unchanged, or no cursor for the first page");
  }
}
