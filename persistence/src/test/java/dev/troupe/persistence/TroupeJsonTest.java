package dev.troupe.persistence;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TroupeJsonTest {

  @Test
  void instantsAreIsoTextBothWays() throws Exception {
    // given
    ObjectMapper mapper = TroupeJson.newMapper();
    Instant at = Instant.parse("2026-11-23T10:00:00.123Z");
    // when
    String json = mapper.writeValueAsString(Map.of("at", at));
    // then
    assertThat(json).isEqualTo("{\"at\":\"2026-11-23T10:00:00.123Z\"}");
    assertThat(mapper.readValue("\"2026-11-23T10:00:00.123Z\"", Instant.class)).isEqualTo(at);
  }
}
