package dev.troupe.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.time.DateTimeException;
import java.time.ZoneId;

/**
 * A named schedule: a cron expression in a timezone, and the run each fire time starts. Every
 * field but the name, the worker and the cron expression has a default.
 *
 * <p>Cron: 6 fields are {@code second minute hour day-of-month month day-of-week}
 * (<code>&#42;/2 * * * * *</code> is every 2 seconds; {@code ?} is allowed for a day field), 5
 * fields are Unix cron
 * ({@code minute hour day-of-month month day-of-week}). The node checks the expression when the
 * schedule is put.
 *
 * @param name the schedule's name, kebab-case like a worker's ({@link WorkerNames#RULE})
 * @param worker the worker each fire time calls
 * @param cron the cron expression
 * @param timezone the zone the expression is read in (an IANA id such as {@code Europe/Berlin});
 *     null is {@code UTC}
 * @param payload the payload of every run; null is an empty object
 * @param misfire what missed fire times start; null is {@link MisfirePolicy#SKIP}
 * @param priority the runs' priority, {@link CallOptions#MIN_PRIORITY} to {@link
 *     CallOptions#MAX_PRIORITY}; null is {@link CallOptions#DEFAULT_PRIORITY}
 */
public record Schedule(String name, String worker, String cron, String timezone,
    JsonNode payload, MisfirePolicy misfire, Integer priority) implements TroupeSerializable {
  public Schedule {
    validateName(name);
    WorkerNames.validate(worker);
    if (cron == null || cron.isBlank() || cron.length() > 200) {
      throw new InvalidArgumentException("cron must be an expression of 5 or 6 fields, was '"
          + cron + "'");
    }
    cron = cron.trim();
    timezone = timezone == null ? "UTC" : timezone;
    zone(timezone);
    payload = payload == null || payload.isNull() || payload.isMissingNode()
        ? JsonNodeFactory.instance.objectNode() : payload;
    misfire = misfire == null ? MisfirePolicy.SKIP : misfire;
    priority = priority == null ? CallOptions.DEFAULT_PRIORITY : priority;
    if (priority < CallOptions.MIN_PRIORITY || priority > CallOptions.MAX_PRIORITY) {
      throw new InvalidArgumentException("priority must be between " + CallOptions.MIN_PRIORITY
          + " and " + CallOptions.MAX_PRIORITY + ", was " + priority);
    }
  }

  /** A schedule in UTC with an empty payload, the default priority and {@link MisfirePolicy#SKIP}. */
  public static Schedule of(String name, String worker, String cron) {
    return new Schedule(name, worker, cron, null, null, null, null);
  }

  public Schedule withTimezone(String zone) {
    return new Schedule(name, worker, cron, zone, payload, misfire, priority);
  }

  public Schedule withPayload(JsonNode p) {
    return new Schedule(name, worker, cron, timezone, p, misfire, priority);
  }

  public Schedule withMisfire(MisfirePolicy m) {
    return new Schedule(name, worker, cron, timezone, payload, m, priority);
  }

  public Schedule withPriority(int p) {
    return new Schedule(name, worker, cron, timezone, payload, misfire, p);
  }

  /** The zone of {@link #timezone()}. */
  public ZoneId zoneId() {
    return zone(timezone);
  }

  /** @throws InvalidArgumentException naming the rule (the worker names' rule) when broken */
  public static String validateName(String name) {
    if (name == null || !WorkerNames.RULE.matcher(name).matches()) {
      throw new InvalidArgumentException("invalid schedule name '" + name + "': a name must match "
          + WorkerNames.RULE.pattern() + " (lowercase letters, digits and '-', 1 to 63 characters,"
          + " not starting with '-')");
    }
    return name;
  }

  private static ZoneId zone(String id) {
    try {
      return ZoneId.of(id);
    } catch (DateTimeException e) {
      throw new InvalidArgumentException("timezone '" + id + "' is not a known time zone (use an"
          + " IANA id such as Europe/Berlin, or UTC)");
    }
  }
}
