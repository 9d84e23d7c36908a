package dev.troupe.persistence.history;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.troupe.persistence.TroupeJson;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;

/**
 * How the run history's values are kept in SQL on every database: times as UTC {@code
 * TIMESTAMP(3)} (without zone), JSON as text, absent numbers as NULL.
 */
final class SqlValues {
  static final ObjectMapper MAPPER = TroupeJson.newMapper();

  private SqlValues() {}

  static LocalDateTime utc(Instant at) {
    return at == null ? null : LocalDateTime.ofInstant(at, ZoneOffset.UTC);
  }

  static Instant instant(ResultSet rs, String column) throws SQLException {
    LocalDateTime t = rs.getObject(column, LocalDateTime.class);
    return t == null ? null : t.toInstant(ZoneOffset.UTC);
  }

  static void setLong(PreparedStatement ps, int i, Long value) throws SQLException {
    if (value == null) {
      ps.setNull(i, Types.BIGINT);
    } else {
      ps.setLong(i, value);
    }
  }

  static String json(Object value) {
    try {
      return value == null ? null : MAPPER.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write JSON: " + e.getOriginalMessage(), e);
    }
  }

  static JsonNode tree(String text) {
    try {
      return text == null ? null : MAPPER.readTree(text);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("troupe_runs holds malformed JSON: "
          + e.getOriginalMessage(), e);
    }
  }
}
