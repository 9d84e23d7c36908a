package dev.troupe.persistence;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;

/**
 * Troupe's one JSON mapper configuration: Java time types as ISO-8601 text ({@code
 * "2026-11-23T10:00:00Z"}), never as numbers. It is what Pekko's Jackson serializer, which writes
 * the events and snapshots, is configured to do as well (its {@code JavaTimeModule} and {@code
 * WRITE_DATES_AS_TIMESTAMPS = off}); that serializer builds its own mapper from its settings and
 * additionally reads instants with {@link IsoInstantModule} (troupe-persistence.conf). The node's
 * HTTP API and front ends, and the run history's JSON columns, use this one.
 */
public final class TroupeJson {
  private TroupeJson() {}

  /**
   * A new mapper with Troupe's configuration. A mapper is thread-safe once configured: keep one
   * rather than build one per use, building it is far costlier than using it.
   */
  public static ObjectMapper newMapper() {
    return new ObjectMapper()
        .registerModule(new JavaTimeModule())
        .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);
  }
}
