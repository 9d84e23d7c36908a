package dev.troupe.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.troupe.api.BlockingWorker;
import dev.troupe.api.WorkerConfig;
import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/** What the context of an attempt starts from. All optional but the worker's name. */
public final class TestContextBuilder {
  private final String workerName;
  private String runId = "test-run";
  private int attempt = 1;
  private JsonNode payload = TestWorkerContext.MAPPER.createObjectNode();
  private JsonNode checkpoint;
  private final Map<String, Object> state = new ConcurrentHashMap<>();
  private Config config = ConfigFactory.empty();
  private String environment = "development";
  private WorkerConfig workerConfig = WorkerConfig.DEFAULT;
  private Duration timeout = Duration.ofSeconds(30);
  private final Map<String, FakeChildren.Handler> children = new ConcurrentHashMap<>();

  TestContextBuilder(String workerName) {
    this.workerName = workerName;
  }

  public TestContextBuilder runId(String id) {
    this.runId = id;
    return this;
  }

  /** Which attempt this is (1 for the first). */
  public TestContextBuilder attempt(int n) {
    this.attempt = n;
    return this;
  }

  /** The payload: a record, a map or a {@code JsonNode}, written as JSON as a caller's would be. */
  public TestContextBuilder payload(Object value) {
    this.payload = value instanceof JsonNode n ? n : TestWorkerContext.MAPPER.valueToTree(value);
    return this;
  }

  /** The payload as JSON text. */
  public TestContextBuilder payloadJson(String json) {
    try {
      this.payload = TestWorkerContext.MAPPER.readTree(json);
    } catch (IOException e) {
      throw new IllegalArgumentException("not JSON: " + json, e);
    }
    return this;
  }

  /** The checkpoint an earlier attempt left, seen by {@code lastCheckpoint}. */
  public TestContextBuilder checkpoint(Object value) {
    this.checkpoint = value instanceof JsonNode n ? n : TestWorkerContext.MAPPER.valueToTree(value);
    return this;
  }

  public TestContextBuilder state(String key, Object value) {
    state.put(key, value);
    return this;
  }

  /** What {@code ctx.config()} returns: the node's {@code troupe.workers.<name>} subtree. */
  public TestContextBuilder config(Config subtree) {
    this.config = subtree;
    return this;
  }

  /** "development" (the default: debug lines are recorded) or "production". */
  public TestContextBuilder environment(String env) {
    this.environment = env;
    return this;
  }

  /** The definition's configuration: its error classifier decides what is permanent. */
  public TestContextBuilder config(WorkerConfig definition) {
    this.workerConfig = definition;
    return this;
  }

  /** How long the attempt may run before it is cancelled as timed out (30 s by default). */
  public TestContextBuilder timeout(Duration t) {
    this.timeout = t;
    return this;
  }

  /**
   * What a child run of {@code worker} started with {@code ctx.call} returns: {@code handler}'s
   * value, written as JSON, for a SUCCEEDED child; a handler that throws makes a FAILED child.
   * A call of a worker without a handler fails permanently.
   */
  public TestContextBuilder child(String worker, Function<JsonNode, ?> handler) {
    children.put(worker, FakeChildren.ofFunction(handler));
    return this;
  }

  /**
   * A child run of {@code worker} runs {@code handler} as a node would run that definition: on a
   * test context of its own (the child's run id, the call's payload, {@code config}), attempt
   * after attempt while it fails transiently and {@code config}'s retry policy leaves attempts
   * (without the backoff); the child ends as its last attempt did, its error's label included.
   * A batch worker's parts: {@code childWorker(Batches.partName(name), partConfig,
   * Batches.part(worker))}.
   */
  public TestContextBuilder childWorker(String worker, WorkerConfig config,
      BlockingWorker handler) {
    children.put(worker, FakeChildren.ofWorker(worker, config, handler));
    return this;
  }

  public TestWorkerContext build() {
    return new TestWorkerContext(new TestWorkerContext.Spec(workerName, runId, payload, config,
        environment, workerConfig, timeout, new FakeChildren(children)), attempt, checkpoint,
        new ConcurrentHashMap<>(state), new TestSteps(TestWorkerContext.MAPPER));
  }
}
