package dev.troupe.node.http;

/** A request body of a type other than JSON (415). */
final class UnsupportedContentType extends RuntimeException {
  UnsupportedContentType(String type) {
    super("the body must be application/json (Content-Type: application/json, also for an"
        + " empty body), was " + type);
  }
}
