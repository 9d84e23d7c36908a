package dev.troupe.client.cli;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import picocli.CommandLine;

/**
 * Reads an instant: ISO-8601 ({@code 2026-12-01T00:00:00Z}), or a duration before now ({@code
 * 30m}, {@code 24h}, {@code PT2H}, as {@link DurationConverter} reads them).
 */
final class SinceConverter implements CommandLine.ITypeConverter<Instant> {
  @Override
  public Instant convert(String value) {
    try {
      return Instant.parse(value.trim());
    } catch (DateTimeParseException notAnInstant) {
      try {
        return Instant.now().minus(new DurationConverter().convert(value));
      } catch (CommandLine.TypeConversionException e) {
        throw new CommandLine.TypeConversionException("'" + value + "' is neither an instant such"
            + " as 2026-12-01T00:00:00Z nor a duration before now such as 24h");
      }
    }
  }
}
