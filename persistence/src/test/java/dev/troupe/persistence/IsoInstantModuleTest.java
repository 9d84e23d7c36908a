package dev.troupe.persistence;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.deser.DefaultDeserializationContext;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.time.Instant;
import java.util.Optional;
import java.util.Random;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.serialization.jackson.JacksonObjectMapperProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class IsoInstantModuleTest {

  private static final ObjectMapper FAST = new ObjectMapper().registerModule(new JavaTimeModule())
      .registerModule(new IsoInstantModule());
  private static final ObjectMapper JACKSON = new ObjectMapper()
      .registerModule(new JavaTimeModule());

  @Test
  void readsEveryInstantAsJacksonDoes() throws Exception {
    // given instants of every precision over years 0000 to 9999
    Random random = new Random(42);
    for (int i = 0; i < 20_000; i++) {
      Instant instant = Instant.ofEpochSecond(
          random.nextLong(Instant.parse("0000-01-01T00:00:00Z").getEpochSecond(),
              Instant.parse("9999-12-31T23:59:59Z").getEpochSecond()),
          switch (i % 4) {
            case 0 -> 0;
            case 1 -> random.nextInt(1000) * 1_000_000;
            case 2 -> random.nextInt(1_000_000) * 1_000;
            default -> random.nextInt(1_000_000_000);
          });
      String json = JACKSON.writeValueAsString(instant.toString());

      // when
      Instant fast = FAST.readValue(json, Instant.class);

      // then
      assertThat(fast).as(json).isEqualTo(JACKSON.readValue(json, Instant.class))
          .isEqualTo(instant);
      assertThat(IsoInstantModule.parse(instant.toString())).as(json).isEqualTo(instant);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"\"2026-12-02T06:23:15.3Z\"", "\"2026-12-02T06:23:15.30412Z\"",
      "\"2026-12-02T06:23:15+01:00\"", "\"+12026-12-02T06:23:15Z\"", "\"2024-02-29T23:59:59Z\"",
      "1764656595.304000000", "1764656595", "\"2026-13-02T06:23:15Z\"",
      "\"2025-02-29T06:23:15Z\"", "\"2026-12-02T24:00:00Z\"", "\"2026-12-02T06:23:15.Z\"",
      "\"2026-12-02 06:23:15Z\"", "\"2026-12-02T06:23:60Z\"", "\"yesterday\"", "\"\""})
  void readsOrRefusesOtherShapesAsJacksonDoes(String json) {
    assertThat(outcome(FAST, json)).isEqualTo(outcome(JACKSON, json));
  }

  /** The instant read, or the kind of error. */
  private static Object outcome(ObjectMapper mapper, String json) {
    try {
      return mapper.readValue(json, Instant.class);
    } catch (Exception e) {
      return e.getClass();
    }
  }

  @Test
  void pekkosJacksonSerializerReadsInstantsWithIt() throws Exception {
    // given Pekko's serializer configured as a node configures it
    ActorTestKit testKit = PekkoSerialization.testKit("IsoInstantModuleTest");
    try {
      ObjectMapper mapper = JacksonObjectMapperProvider.get(testKit.system())
          .getOrCreate("jackson-json", Optional.empty());

      // when
      Object reader = ((DefaultDeserializationContext) mapper.getDeserializationContext())
          .createInstance(mapper.getDeserializationConfig(), null, null)
          .findRootValueDeserializer(mapper.constructType(Instant.class));

      // then
      assertThat(reader).isInstanceOf(IsoInstantModule.Deserializer.class);
    } finally {
      testKit.shutdownTestKit();
    }
  }
}
