package dev.troupe.client;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;

/**
 * The client's one Jackson configuration: times as ISO-8601 strings (as the node writes them),
 * unknown fields and statuses tolerated (so that an older client reads a newer node).
 */
public final class Json {
  static final ObjectMapper MAPPER = newMapper();

  private Json() {}

  /**
   * A new mapper with the client's configuration, for an application (or the command line) that
   * reads or writes the client's values ({@link Run}, {@link RunEvent}...) itself. A new one each
   * time, so that no caller's changes reach the client's own.
   */
  public static ObjectMapper newMapper() {
    return new ObjectMapper()
        .registerModule(new JavaTimeModule())
        .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
        .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
        .enable(DeserializationFeature.READ_UNKNOWN_ENUM_VALUES_USING_DEFAULT_VALUE);
  }
}
