package dev.troupe.persistence;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.troupe.api.ErrorCode;
import dev.troupe.api.RunError;
import dev.troupe.api.RunStatus;
import dev.troupe.api.StepStatus;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.jackson.JacksonJsonSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Schema evolution guard: journals and snapshots written by earlier versions must still read as
 * what they meant. Every file under {@code golden/v1} was written once by {@link
 * #writeMissingGoldenFiles()} from the examples below and is never edited (see the README.md
 * there). The examples are spelled out here, with literal values, on purpose: they describe what
 * the files mean and must not follow later changes of test helpers.
 */
class GoldenEventsTest {
  private static final String VERSION = "v1";
  private static final ObjectMapper FILES = new ObjectMapper()
      .enable(SerializationFeature.INDENT_OUTPUT);

  private static final Instant AT = Instant.parse("2026-11-23T10:00:00.000Z");
  private static final String RUN = "01JD3Q7R8V3K5M9W2X4Y6Z8A0B-send-email";
  private static final String RUN_2 = "01JD3Q7R8W0000000000000000-send-email";
  private static final String RUN_3 = "01JD3Q7R8X0000000000000000-send-email";
  private static final String RUN_4 = "01JD3Q7R8Y0000000000000000-send-email";
  private static final String RUN_5 = "01JD3Q7R8Z0000000000000000-send-email";
  private static final WorkerState.Limits LIMITS = new WorkerState.Limits(100, 100);

  private static ActorTestKit testKit;
  private static Serialization serialization;

  @BeforeAll
  static void start() {
    testKit = PekkoSerialization.testKit("GoldenEventsTest");
    serialization = PekkoSerialization.serialization(testKit);
  }

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  private static ObjectNode obj(String k1, Object v1) {
    ObjectNode n = JsonNodeFactory.instance.objectNode();
    n.set(k1, FILES.valueToTree(v1));
    return n;
  }

  private static ObjectNode obj(String k1, Object v1, String k2, Object v2) {
    ObjectNode n = obj(k1, v1);
    n.set(k2, FILES.valueToTree(v2));
    return n;
  }

  private static final WorkerEvent.RunAccepted ACCEPTED = new WorkerEvent.RunAccepted(RUN,
      obj("to", "a@b.c", "subject", "Hello"), 30_000, "order-42", List.of("mail", "urgent"), AT);
  private static final WorkerEvent.RunAccepted ACCEPTED_SCHEDULED = new WorkerEvent.RunAccepted(
      RUN_2, obj("n", 2), 10_000, null, List.of(), AT,
      new RunSpec(7, "tenant-a", AT.plusSeconds(60), List.of(), null, null, null));
  private static final WorkerEvent.RunDue DUE = new WorkerEvent.RunDue(RUN_2, AT.plusSeconds(60));
  private static final WorkerEvent.AttemptStarted ATTEMPT_STARTED =
      new WorkerEvent.AttemptStarted(RUN, 2, 7, AT.plusMillis(1500));
  private static final WorkerEvent.AttemptFailed ATTEMPT_FAILED = new WorkerEvent.AttemptFailed(
      RUN, 1, new RunError(ErrorCode.TRANSIENT_ERROR, "smtp: connection refused"),
      AT.plusMillis(1200));
  private static final WorkerEvent.Checkpointed CHECKPOINTED = new WorkerEvent.Checkpointed(RUN,
      7, obj("completed", 3, "cursor", "c-17"), AT.plusMillis(1700));
  private static final WorkerEvent.RunInterrupted INTERRUPTED =
      new WorkerEvent.RunInterrupted(RUN, AT.plusMillis(2000));
  private static final WorkerEvent.AttemptHandedOver HANDED_OVER =
      new WorkerEvent.AttemptHandedOver(RUN, 2, 7, AT.plusMillis(2050));
  private static final WorkerEvent.RunFinished FINISHED = new WorkerEvent.RunFinished(RUN,
      RunStatus.SUCCEEDED, obj("status", "sent", "to", "a@b.c"), null, AT.plusMillis(2112));
  private static final WorkerEvent.RunFinished FINISHED_FAILED = new WorkerEvent.RunFinished(
      RUN, RunStatus.FAILED, null, new RunError(ErrorCode.PERMANENT_ERROR, "no such mailbox"),
      AT.plusMillis(2113));
  private static final WorkerEvent.RunStreamed STREAMED = new WorkerEvent.RunStreamed(RUN, 3,
      "message", obj("progress", 50.0, "message", "halfway"), AT.plusMillis(1600));
  private static final WorkerEvent.RunStreamed STREAMED_RESULT = new WorkerEvent.RunStreamed(RUN,
      9, "result", null, AT.plusMillis(2112));
  private static final WorkerEvent.StreamReserved STREAM_RESERVED =
      new WorkerEvent.StreamReserved(RUN, 4_294_967_296L, AT);
  private static final WorkerEvent.DependenciesMet DEPENDENCIES_MET =
      new WorkerEvent.DependenciesMet(RUN, AT.plusMillis(900));
  private static final WorkerEvent.StepRecorded STEP_RECORDED = new WorkerEvent.StepRecorded(RUN,
      7, new StepRecord("reserve-inventory", StepStatus.COMPENSATED, "java.lang.String",
          JsonNodeFactory.instance.textNode("res-17"), null, "release-inventory",
          StepStatus.SUCCEEDED, null), AT.plusMillis(1800));
  private static final WorkerEvent.CancelRequested CANCEL_REQUESTED =
      new WorkerEvent.CancelRequested(RUN, AT.plusMillis(1900));
  private static final WorkerEvent.FailureCompensationRequested FAILURE_COMPENSATION_REQUESTED =
      new WorkerEvent.FailureCompensationRequested(RUN, new RunError(ErrorCode.TRANSIENT_ERROR,
          "interrupted: attempt 1 was lost with its node and no attempt is left"),
          AT.plusMillis(1950));
  private static final WorkerEvent.Recorded RECORDED = new WorkerEvent.Recorded(List.of(
      ACCEPTED, ATTEMPT_STARTED, CHECKPOINTED, ATTEMPT_FAILED, INTERRUPTED, FINISHED));

  /** The events of the snapshot example: every kind of run an entity holds. */
  private static final List<WorkerEvent> STATE_EVENTS = List.of(
      ACCEPTED,
      new WorkerEvent.RunAccepted(RUN_2, obj("n", 2), 10_000, null, List.of(), AT.plusMillis(1)),
      new WorkerEvent.RunAccepted(RUN_3, obj("n", 3), 0, "k-3", List.of("x"), AT.plusMillis(2)),
      new WorkerEvent.RunAccepted(RUN_4, obj("n", 4), 0, null, List.of(), AT.plusMillis(3)),
      new WorkerEvent.RunAccepted(RUN_5, obj("n", 5), 0, null, List.of(), AT.plusMillis(4)),
      new WorkerEvent.AttemptStarted(RUN, 1, 1, AT.plusMillis(10)),
      new WorkerEvent.Checkpointed(RUN, 1, obj("completed", 1), AT.plusMillis(20)),
      new WorkerEvent.AttemptStarted(RUN_2, 1, 2, AT.plusMillis(11)),
      new WorkerEvent.AttemptFailed(RUN_2, 1, new RunError(ErrorCode.TRANSIENT_ERROR, "busy"),
          AT.plusMillis(30)),
      new WorkerEvent.AttemptStarted(RUN_3, 1, 3, AT.plusMillis(12)),
      new WorkerEvent.RunFinished(RUN_3, RunStatus.SUCCEEDED, obj("ok", true), null,
          AT.plusMillis(112)),
      new WorkerEvent.RunFinished(RUN_5, RunStatus.CANCELLED, null,
          new RunError(ErrorCode.CANCELLED, "cancelled"), AT.plusMillis(113)));
  private static final List<String> STATE_RUNS = List.of(RUN, RUN_2, RUN_3, RUN_4, RUN_5);
  private static final List<String> STATE_KEYS = List.of("order-42", "k-3", "k-none");

  private static WorkerState stateExample() {
    WorkerState s = WorkerState.empty();
    for (WorkerEvent e : STATE_EVENTS) {
      s = s.apply(e, LIMITS);
    }
    return s;
  }

  /** File name (without .json) → the value it holds. */
  static Map<String, Object> examples() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("accepted", ACCEPTED);
    m.put("accepted-scheduled", ACCEPTED_SCHEDULED);
    m.put("due", DUE);
    m.put("attempt-started", ATTEMPT_STARTED);
    m.put("attempt-failed", ATTEMPT_FAILED);
    m.put("checkpointed", CHECKPOINTED);
    m.put("interrupted", INTERRUPTED);
    m.put("attempt-handed-over", HANDED_OVER);
    m.put("finished", FINISHED);
    m.put("finished-failed", FINISHED_FAILED);
    m.put("recorded", RECORDED);
    m.put("streamed", STREAMED);
    m.put("streamed-result", STREAMED_RESULT);
    m.put("stream-reserved", STREAM_RESERVED);
    m.put("dependencies-met", DEPENDENCIES_MET);
    m.put("step-recorded", STEP_RECORDED);
    m.put("cancel-requested", CANCEL_REQUESTED);
    m.put("failure-compensation-requested", FAILURE_COMPENSATION_REQUESTED);
    m.put("worker-state", stateExample());
    return m;
  }

  static Stream<String> eventFiles() {
    return examples().keySet().stream().filter(n -> !n.equals("worker-state"));
  }

  private static JsonNode goldenFile(String name) {
    String resource = "golden/" + VERSION + "/" + name + ".json";
    try (InputStream in = GoldenEventsTest.class.getClassLoader().getResourceAsStream(resource)) {
      assertThat(in).as("golden file %s (write missing ones with -Dtroupe.golden.write=true)",
          resource).isNotNull();
      return FILES.readTree(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Reads a golden file the way the journal plugin reads a row: id, manifest and bytes. */
  private static Object readGolden(String name) {
    JsonNode file = goldenFile(name);
    JsonNode payload = file.get("payload");
    byte[] bytes;
    try {
      bytes = payload.isTextual() ? payload.textValue().getBytes(StandardCharsets.UTF_8)
          : FILES.writer().without(SerializationFeature.INDENT_OUTPUT).writeValueAsBytes(payload);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return PekkoSerialization.read(serialization, new PekkoSerialization.Written(
        file.get("serializerId").intValue(), file.get("manifest").textValue(), bytes));
  }

  @ParameterizedTest
  @MethodSource("eventFiles")
  void goldenEventReadsAsItsExample(String name) {
    // given
    Object expected = examples().get(name);

    // when
    Object read = readGolden(name);

    // then
    assertThat(read).isInstanceOf(expected.getClass())
        .usingRecursiveComparison().withStrictTypeChecking().isEqualTo(expected);
    assertThat(read).isEqualTo(expected);
  }

  @Test
  void goldenSnapshotReadsAsItsExample() {
    // given
    WorkerState expected = stateExample();

    // when
    WorkerState read = (WorkerState) readGolden("worker-state");

    // then
    PekkoSerialization.assertSameState(read, expected, STATE_RUNS, STATE_KEYS);
    assertThat(read.queue()).containsExactly(RUN_4);
    assertThat(read.run(RUN).orElseThrow().checkpoint()).isEqualTo(obj("completed", 1));
    assertThat(read.runByIdempotencyKey("k-3")).map(RunRecord::status)
        .contains(RunStatus.SUCCEEDED);
    assertThat(read.stats().runs()).isEqualTo(2);
  }

  @Test
  void goldenFilesWereWrittenByTheJacksonSerializer() {
    // given
    List<JsonNode> files = examples().keySet().stream().map(GoldenEventsTest::goldenFile)
        .toList();

    // when
    var serializers = files.stream().map(f -> serialization.serializerByIdentity()
        .get(f.get("serializerId").intValue()).get()).toList();

    // then
    assertThat(serializers).allSatisfy(s -> assertThat(s).isInstanceOf(
        JacksonJsonSerializer.class));
  }

  @Test
  void everyWorkerEventTypeHasAGoldenFile() {
    // given
    List<String> permitted = Stream.of(WorkerEvent.class.getPermittedSubclasses())
        .map(Class::getName).toList();

    // when
    List<String> manifests = eventFiles().map(n -> goldenFile(n).get("manifest").textValue())
        .toList();

    // then
    assertThat(manifests).containsAll(permitted);
  }

  @Test
  void everyGoldenFileHasAnExample() throws IOException, URISyntaxException {
    // given
    URL dir = GoldenEventsTest.class.getClassLoader().getResource("golden/" + VERSION);
    assertThat(dir).isNotNull();

    // when
    List<String> names = new ArrayList<>();
    try (Stream<Path> files = Files.list(Path.of(dir.toURI()))) {
      files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".json"))
          .map(n -> n.substring(0, n.length() - ".json".length())).forEach(names::add);
    }

    // then
    assertThat(names).containsExactlyInAnyOrderElementsOf(examples().keySet());
  }

  /**
   * Writes the golden files that do not exist yet, from the examples, with the current code. Off
   * by default; run once with {@code mvn -pl persistence test -Dtest=GoldenEventsTest
   * -Dtroupe.golden.write=true}. It never overwrites a file.
   */
  @Test
  @EnabledIfSystemProperty(named = "troupe.golden.write", matches = "true")
  void writeMissingGoldenFiles() throws IOException {
    Path dir = Path.of(System.getProperty("basedir", "."), "src", "test", "resources", "golden",
        VERSION);
    Files.createDirectories(dir);
    for (Map.Entry<String, Object> example : examples().entrySet()) {
      Path file = dir.resolve(example.getKey() + ".json");
      if (Files.exists(file)) {
        System.out.println("golden file kept as it is: " + file);
        continue;
      }
      PekkoSerialization.Written w = PekkoSerialization.write(serialization, example.getValue());
      assertThat(w.bytes()[0]).as("uncompressed JSON").isEqualTo((byte) '{');
      ObjectNode golden = JsonNodeFactory.instance.objectNode();
      golden.put("manifest", w.manifest());
      golden.put("serializerId", w.serializerId());
      golden.set("payload", FILES.readTree(w.bytes()));
      Files.writeString(file, FILES.writeValueAsString(golden) + "\n");
      System.out.println("golden file written: " + file);
    }
  }
}
