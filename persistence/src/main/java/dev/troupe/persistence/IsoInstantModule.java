package dev.troupe.persistence;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.deser.std.StdScalarDeserializer;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.datatype.jsr310.deser.InstantDeserializer;
import java.io.IOException;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDate;

/**
 * Reads the instants of Troupe's events and snapshots ({@code "2026-12-02T06:23:15.304Z"}, as
 * Pekko's Jackson serializer writes them) without {@code DateTimeFormatter}, whose parsing was
 * about a tenth of a node's CPU (every journal entry is read again by the run history). The
 * format written does not change. A text of any other shape, or a number, is read exactly as
 * Jackson's {@code JavaTimeModule} reads it. Registered in {@code troupe-persistence.conf} after
 * Pekko's modules, so that it takes precedence.
 */
public final class IsoInstantModule extends SimpleModule {

  public IsoInstantModule() {
    super("troupe-iso-instant");
    addDeserializer(Instant.class, new Deserializer());
  }

  static final class Deserializer extends StdScalarDeserializer<Instant> {
    Deserializer() {
      super(Instant.class);
    }

    @Override
    public Instant deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
      if (p.hasToken(JsonToken.VALUE_STRING)) {
        Instant fast = parse(p.getText());
        if (fast != null) {
          return fast;
        }
      }
      return InstantDeserializer.INSTANT.deserialize(p, ctxt);
    }
  }

  private static final int[] SCALE = {0, 100_000_000, 10_000_000, 1_000_000, 100_000, 10_000,
      1_000, 100, 10, 1};

  /**
   * {@code yyyy-MM-ddTHH:mm:ss[.f…]Z} (1 to 9 fraction digits, UTC), as {@link Instant#toString}
   * writes years 0000 to 9999; null for anything else.
   */
  static Instant parse(String s) {
    int n = s.length();
    if (n < 20 || n == 21 || n > 30 || s.charAt(4) != '-' || s.charAt(7) != '-'
        || s.charAt(10) != 'T' || s.charAt(13) != ':' || s.charAt(16) != ':'
        || s.charAt(n - 1) != 'Z' || (n > 20 && s.charAt(19) != '.')) {
      return null;
    }
    int year = digits(s, 0, 4);
    int month = digits(s, 5, 2);
    int day = digits(s, 8, 2);
    int hour = digits(s, 11, 2);
    int minute = digits(s, 14, 2);
    int second = digits(s, 17, 2);
    int fraction = n == 20 ? 0 : digits(s, 20, n - 21);
    if (year < 0 || month < 0 || day < 0 || hour < 0 || hour > 23 || minute < 0 || minute > 59
        || second < 0 || second > 59 || fraction < 0) {
      return null;
    }
    long epochDay;
    try {
      epochDay = LocalDate.of(year, month, day).toEpochDay();
    } catch (DateTimeException invalid) {
      return null;
    }
    int nanos = n == 20 ? 0 : fraction * SCALE[n - 21];
    return Instant.ofEpochSecond(epochDay * 86_400 + hour * 3_600 + minute * 60 + second, nanos);
  }

  /** The non-negative number of {@code len} ASCII digits at {@code from}, or -1. */
  private static int digits(String s, int from, int len) {
    int v = 0;
    for (int i = from; i < from + len; i++) {
      char c = s.charAt(i);
      if (c < '0' || c > '9') {
        return -1;
      }
      v = v * 10 + (c - '0');
    }
    return v;
  }
}
