package dev.troupe.node.run;

import com.fasterxml.jackson.databind.JsonNode;
import dev.troupe.api.TroupeSerializable;

/**
 * The entity's go-ahead for attempt {@code attempt} of a run, with its epoch and the run's last
 * checkpoint; written as {@code AttemptStarted} before it is sent.
 */
public record Granted(int attempt, long epoch, JsonNode checkpoint) implements TroupeSerializable {}
