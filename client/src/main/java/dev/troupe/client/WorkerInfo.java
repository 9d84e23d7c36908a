package dev.troupe.client;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.databind.JsonNode;

/**
 * A worker definition as {@code GET /api/v1/workers} lists it. {@code config} and {@code stats}
 * are kept as JSON (their fields are documented with the HTTP API); {@code stats} is null, and
 * {@code statsError} says why, when no node can answer for the definition (its role has no member
 * up).
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record WorkerInfo(String name, String description, JsonNode config, JsonNode stats,
    String statsError) {

  /** A counter of {@code stats} ({@code runs}, {@code failed}, {@code running}, ...), 0 without stats. */
  public long stat(String name) {
    return stats == null ? 0 : stats.path(name).asLong();
  }
}
