package dev.troupe.client;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

/** Building request paths from caller-supplied names and ids. */
final class UrlParts {
  private UrlParts() {}

  /** {@code s} as one path segment: percent-encoded, so a stray {@code /} or {@code ?} stays in it. */
  static String segment(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
  }

  /** {@code s} as a query parameter's value. */
  static String query(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }
}
