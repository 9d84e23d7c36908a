package dev.troupe.client;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Objects;

/**
 * The cluster's cron schedules over {@code /api/v1/schedules}, from {@link
 * TroupeClient#schedules()}: the same node, token, timeouts and retries as its client.
 * Thread-safe.
 *
 * <p>Guarantees: each fire time of a schedule starts exactly one run across the cluster (the node
 * keys the run by its fire time), whatever this client does. Putting, pausing and resuming are
 * idempotent, so the client repeats them after a failure to connect, a timeout or a 502/503/504
 * like a read; deleting and triggering are repeated only when the request surely never reached a
 * node (or a node refused it with 503), since a repeated trigger would start a second run. Changes
 * ({@link #put}, {@link #delete}, {@link #pause}, {@link #resume}) need an admin token when tokens
 * are set ({@link AccessDeniedException} otherwise); reading and triggering need a client token.
 */
public final class ScheduleClient {
  private static final String SCHEDULES = "/api/v1/schedules";

  private final Transport transport;

  ScheduleClient(Transport transport) {
    this.transport = transport;
  }

  /**
   * Creates or replaces schedule {@code name}; a replaced one keeps its paused flag and recent
   * runs and fires by its new definition from now on.
   *
   * @return the schedule as stored, with its next fire times
   * @throws InvalidRequestException when the name, cron expression, zone or priority is refused
   * @throws NotFoundException when its worker is not registered
   */
  public Schedule put(String name, ScheduleSpec spec) {
    return schedule(transport.send("PUT", path(name), body(spec),
        transport.settings.requestTimeout(), Transport.Retry.ALWAYS));
  }

  /**
   * Schedule {@code name}.
   *
   * @throws NotFoundException when there is no such schedule
   */
  public Schedule get(String name) {
    return schedule(transport.send("GET", path(name), null, transport.settings.requestTimeout(),
        Transport.Retry.ALWAYS));
  }

  /** Every schedule of the cluster, by name. */
  public List<Schedule> list() {
    JsonNode page = transport.json(transport.send("GET", SCHEDULES, null,
        transport.settings.requestTimeout(), Transport.Retry.ALWAYS));
    return Json.MAPPER.convertValue(page.path("schedules"),
        new TypeReference<List<Schedule>>() {});
  }

  /**
   * Deletes schedule {@code name}: it fires no more (runs it started go on).
   *
   * @throws NotFoundException when there is no such schedule
   */
  public void delete(String name) {
    transport.json(transport.send("DELETE", path(name), null,
        transport.settings.requestTimeout(), Transport.Retry.UNSENT));
  }

  /**
   * Stops schedule {@code name} from firing until {@link #resume}: fire times meanwhile start
   * nothing. Pausing a paused schedule changes nothing.
   *
   * @throws NotFoundException when there is no such schedule
   */
  public Schedule pause(String name) {
    return schedule(transport.send("POST", path(name) + "/pause", "{}",
        transport.settings.requestTimeout(), Transport.Retry.ALWAYS));
  }

  /**
   * Lets schedule {@code name} fire again from now on; fire times while it was paused are not
   * caught up.
   *
   * @throws NotFoundException when there is no such schedule
   */
  public Schedule resume(String name) {
    return schedule(transport.send("POST", path(name) + "/resume", "{}",
        transport.settings.requestTimeout(), Transport.Retry.ALWAYS));
  }

  /**
   * Starts one run of schedule {@code name} now, paused or not, besides its fire times.
   *
   * @return the run, once the node has recorded it (202)
   * @throws NotFoundException when there is no such schedule
   */
  public RunRef trigger(String name) {
    return RunRef.of(transport.json(transport.send("POST", path(name) + "/trigger", "{}",
        transport.settings.requestTimeout(), Transport.Retry.UNSENT)));
  }

  private Schedule schedule(HttpResponse<String> r) {
    return Json.MAPPER.convertValue(transport.json(r), Schedule.class);
  }

  private static String path(String name) {
    return SCHEDULES + "/" + UrlParts.segment(Objects.requireNonNull(name, "name"));
  }

  /** The PUT body: the fields that are set, each under its API name. */
  private static String body(ScheduleSpec spec) {
    ObjectNode b = Json.MAPPER.createObjectNode().put("worker", spec.worker())
        .put("cron", spec.cron());
    if (spec.timezone() != null) {
      b.put("timezone", spec.timezone());
    }
    if (spec.payload() != null) {
      b.set("payload", Json.MAPPER.valueToTree(spec.payload()));
    }
    if (spec.misfire() != null) {
      b.put("misfire", spec.misfire() == Misfire.RUN_ONCE ? "run-once" : "skip");
    }
    if (spec.priority() != null) {
      b.put("priority", spec.priority());
    }
    try {
      return Json.MAPPER.writeValueAsString(b);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("the schedule's payload cannot be written as JSON", e);
    }
  }
}
