package dev.troupe.node.schedule;

import com.cronutils.model.CronType;
import com.cronutils.model.definition.CronDefinitionBuilder;
import com.cronutils.model.time.ExecutionTime;
import com.cronutils.parser.CronParser;
import dev.troupe.api.InvalidArgumentException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A cron expression read in a timezone (cron-utils): 6 fields with seconds first (Spring's
 * flavour: {@code *} or {@code ?} for the day fields, {@code L}, {@code W}, {@code #}), or 5 Unix
 * fields.
 *
 * <p>Fire times are the local times the expression matches, each turned into an instant in the
 * zone as {@link ZonedDateTime#ofLocal} does: a local time in a spring-forward gap fires once,
 * shifted by the gap's length (02:30 becomes 03:30); a local time that occurs twice in an autumn
 * overlap fires once, at its first occurrence.
 */
public final class Cron {
  private static final CronParser SIX = new CronParser(
      CronDefinitionBuilder.instanceDefinitionFor(CronType.SPRING53));
  private static final CronParser FIVE = new CronParser(
      CronDefinitionBuilder.instanceDefinitionFor(CronType.UNIX));

  private final ExecutionTime execution;
  private final ZoneId zone;

  private Cron(ExecutionTime execution, ZoneId zone) {
    this.execution = execution;
    this.zone = zone;
  }

  /** @throws InvalidArgumentException naming the expression and what is wrong with it */
  public static Cron parse(String expression, ZoneId zone) {
    String e = expression == null ? "" : expression.trim();
    int fields = e.isEmpty() ? 0 : e.split("\\s+").length;
    if (fields != 5 && fields != 6) {
      throw new InvalidArgumentException("invalid cron expression '" + expression + "': it has "
          + fields + " fields; give 6 (second minute hour day-of-month month day-of-week) or 5"
          + " (Unix: minute hour day-of-month month day-of-week)");
    }
    try {
      return new Cron(ExecutionTime.forCron((fields == 6 ? SIX : FIVE).parse(e)), zone);
    } catch (RuntimeException x) {
      throw new InvalidArgumentException("invalid cron expression '" + expression + "': "
          + x.getMessage());
    }
  }

  /** The first fire time strictly after {@code after}, if the expression ever fires again. */
  public Optional<Instant> next(Instant after) {
    // cron-utils keeps the fraction of a second it is given: fire times are whole seconds
    LocalDateTime local = LocalDateTime.ofInstant(after, zone).truncatedTo(ChronoUnit.SECONDS);
    for (int guard = 0; guard < 10_000; guard++) {
      Optional<ZonedDateTime> n = execution.nextExecution(local.atZone(ZoneOffset.UTC));
      if (n.isEmpty()) {
        return Optional.empty();
      }
      local = n.get().toLocalDateTime();
      Instant at = ZonedDateTime.ofLocal(local, zone, null).toInstant();
      if (at.isAfter(after)) {
        return Optional.of(at);
      }
    }
    return Optional.empty();
  }

  /** The latest fire time at or before {@code at}, if there was one. */
  public Optional<Instant> latestAtOrBefore(Instant at) {
    LocalDateTime local = LocalDateTime.ofInstant(at, zone).truncatedTo(ChronoUnit.SECONDS)
        .plusSeconds(1);
    for (int guard = 0; guard < 10_000; guard++) {
      Optional<ZonedDateTime> p = execution.lastExecution(local.atZone(ZoneOffset.UTC));
      if (p.isEmpty()) {
        return Optional.empty();
      }
      local = p.get().toLocalDateTime();
      Instant fire = ZonedDateTime.ofLocal(local, zone, null).toInstant();
      if (!fire.isAfter(at)) {
        return Optional.of(fire);
      }
    }
    return Optional.empty();
  }

  /** Up to {@code n} fire times after {@code after}. */
  public List<Instant> nextTimes(Instant after, int n) {
    List<Instant> out = new ArrayList<>(n);
    Instant t = after;
    while (out.size() < n) {
      Optional<Instant> next = next(t);
      if (next.isEmpty()) {
        break;
      }
      out.add(next.get());
      t = next.get();
    }
    return out;
  }
}
