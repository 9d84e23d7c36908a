package dev.troupe.persistence;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.util.Collection;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.SerializationExtension;
import org.apache.pekko.serialization.Serializer;
import org.apache.pekko.serialization.Serializers;

/** Pekko's serialization as the product configures it, and helpers to compare what comes back. */
final class PekkoSerialization {

  /** What a serializer wrote: enough to read it back later. */
  record Written(int serializerId, String manifest, byte[] bytes) {}

  private PekkoSerialization() {}

  /** The product's configuration: troupe-persistence.conf over reference.conf files. */
  static Config config() {
    return ConfigFactory.parseResources("troupe-persistence.conf")
        .withFallback(ConfigFactory.load()).resolve();
  }

  static ActorTestKit testKit(String name) {
    return ActorTestKit.create(name, config());
  }

  static Serialization serialization(ActorTestKit testKit) {
    return SerializationExtension.get(testKit.system().classicSystem());
  }

  /** The serializer Pekko picks for {@code type}, from the bindings in config. */
  static Serializer serializerFor(Serialization serialization, Class<?> type) {
    try {
      return serialization.serializerFor(type);
    } catch (Exception e) {
      throw new AssertionError("no serializer for " + type, e);
    }
  }

  static Written write(Serialization serialization, Object o) {
    Serializer serializer = serializerFor(serialization, o.getClass());
    try {
      return new Written(serializer.identifier(), Serializers.manifestFor(serializer, o),
          serializer.toBinary(o));
    } catch (Exception e) {
      throw new AssertionError("cannot serialize " + o, e);
    }
  }

  static Object read(Serialization serialization, Written w) {
    return serialization.deserialize(w.bytes(), w.serializerId(), w.manifest()).get();
  }

  static Object roundTrip(Serialization serialization, Object o) {
    return read(serialization, write(serialization, o));
  }

  /**
   * WorkerState has no equals: two states are the same when every public query answers the same
   * for the given runs and idempotency keys.
   */
  static void assertSameState(WorkerState actual, WorkerState expected,
      Collection<String> runIds, Collection<String> keys) {
    assertThat(actual.queue()).as("queue").containsExactlyElementsOf(expected.queue());
    assertThat(actual.activeRuns()).as("active runs")
        .containsExactlyInAnyOrderElementsOf(expected.activeRuns());
    for (String id : runIds) {
      assertThat(actual.run(id)).as("run %s", id).isEqualTo(expected.run(id));
      assertThat(actual.activeRun(id)).as("active run %s", id).isEqualTo(expected.activeRun(id));
    }
    for (String key : keys) {
      assertThat(actual.runByIdempotencyKey(key)).as("run of key %s", key)
          .isEqualTo(expected.runByIdempotencyKey(key));
    }
    assertThat(actual.stats()).as("stats").isEqualTo(expected.stats());
    assertThat(actual.nextEpoch()).as("nextEpoch").isEqualTo(expected.nextEpoch());
    assertThat(actual.executingCount()).as("executing").isEqualTo(expected.executingCount());
    assertThat(actual.queuedCount()).as("queued").isEqualTo(expected.queuedCount());
    assertThat(actual.scheduledCount()).as("scheduled").isEqualTo(expected.scheduledCount());
    assertThat(actual.nextDue()).as("next due").isEqualTo(expected.nextDue());
  }
}
