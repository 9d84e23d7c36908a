package dev.troupe.node;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.troupe.api.CallOptions;
import dev.troupe.api.InvalidArgumentException;
import dev.troupe.api.UnknownRunException;
import dev.troupe.node.config.DataBytes;
import dev.troupe.node.config.TroupeSettings;
import dev.troupe.persistence.RunClock;
import dev.troupe.persistence.RunIds;
import dev.troupe.persistence.RunSpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/**
 * The facade's checks of a call before anything is asked of an entity: the payload's nesting and
 * size, and the options' start time and dependencies. Each refusal names what is wrong.
 */
final class CallChecks {
  private final TroupeSettings settings;
  private final ObjectMapper mapper;
  private final Clock clock;

  CallChecks(TroupeSettings settings, ObjectMapper mapper, Clock clock) {
    this.settings = settings;
    this.mapper = mapper;
    this.clock = clock;
  }

  /** The spec of a call with {@code opts}: its start time checked against the horizon. */
  RunSpec spec(CallOptions opts) {
    Instant now = RunClock.now(clock);
    RunSpec spec = RunSpec.of(opts, now);
    Duration horizon = settings.maxScheduleAhead();
    if (spec.scheduledFor() != null && spec.scheduledFor().isAfter(now.plus(horizon))) {
      throw new InvalidArgumentException("runAt " + spec.scheduledFor() + " is more than "
          + horizon.toDays() + " days ahead (troupe.call.max-schedule-ahead)");
    }
    for (String id : spec.dependsOn()) {
      try {
        RunIds.entityOf(id);
      } catch (UnknownRunException e) {
        throw new InvalidArgumentException("dependsOn: " + e.getMessage());
      }
    }
    return spec;
  }

  /** Checks the payload's nesting and size; returns its size as JSON, in bytes. */
  long payload(JsonNode payload) {
    if (payload == null || payload.isMissingNode()) {
      throw new InvalidArgumentException("payload must not be null: send an empty object {} for none");
    }
    settings.json().check("payload", payload);
    return DataBytes.check(mapper, "payload", payload, settings.maxPayloadBytes(),
        "troupe.call.max-payload-bytes");
  }
}
