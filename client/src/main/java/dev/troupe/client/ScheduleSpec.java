package dev.troupe.client;

import java.util.Objects;

/**
 * The definition of a schedule to put ({@code PUT /api/v1/schedules/{name}}). Only the worker and
 * the cron expression are required; every other field left null takes the node's default: zone
 * {@code UTC}, an empty payload, {@link Misfire#SKIP}, the default priority. Immutable; each
 * {@code with…} returns a new definition. The node checks it (cron expression, zone, worker,
 * priority) and refuses it with {@link InvalidRequestException} or {@link NotFoundException}.
 *
 * @param cron 6 fields ({@code second minute hour day-of-month month day-of-week}) or 5 (Unix cron)
 * @param timezone an IANA zone id such as {@code Europe/Berlin}
 * @param payload the payload of every run: any value Jackson writes as JSON
 * @param priority 0 to 9
 */
public record ScheduleSpec(String worker, String cron, String timezone, Object payload,
    Misfire misfire, Integer priority) {

  public ScheduleSpec {
    Objects.requireNonNull(worker, "worker");
    Objects.requireNonNull(cron, "cron");
    if (misfire == Misfire.UNKNOWN) {
      throw new IllegalArgumentException("misfire must be SKIP or RUN_ONCE");
    }
  }

  /** Runs of {@code worker} at the times of {@code cron}, with every other field the node's default. */
  public static ScheduleSpec of(String worker, String cron) {
    return new ScheduleSpec(worker, cron, null, null, null, null);
  }

  public ScheduleSpec withTimezone(String zone) {
    return new ScheduleSpec(worker, cron, zone, payload, misfire, priority);
  }

  public ScheduleSpec withPayload(Object p) {
    return new ScheduleSpec(worker, cron, timezone, p, misfire, priority);
  }

  public ScheduleSpec withMisfire(Misfire m) {
    return new ScheduleSpec(worker, cron, timezone, payload, m, priority);
  }

  public ScheduleSpec withPriority(Integer p) {
    return new ScheduleSpec(worker, cron, timezone, payload, misfire, p);
  }
}
