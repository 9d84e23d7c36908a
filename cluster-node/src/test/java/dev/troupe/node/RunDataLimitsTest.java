package dev.troupe.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.troupe.api.ErrorCode;
import dev.troupe.api.InvalidArgumentException;
import dev.troupe.api.PermanentFailure;
import dev.troupe.api.RetryPolicy;
import dev.troupe.api.RunEvent;
import dev.troupe.api.RunHandle;
import dev.troupe.api.RunResult;
import dev.troupe.api.RunStatus;
import dev.troupe.api.RunStep;
import dev.troupe.api.StepStatus;
import dev.troupe.api.WorkerConfig;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.stream.javadsl.Sink;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Data nested deeper than the journal can write, or holding numbers or field names longer than it
 * reads back, is refused before it is recorded: a caller's payload at the call, a handler's result
 * by failing that run alone. The journal's serializer
 * refuses documents nested past 1000 levels; a payload just under that, once wrapped in the
 * journal's batch, would fail the write of every run written with it. What a handler produces is
 * also bounded in bytes (small bounds here, each its own, so a mix-up shows): a result over its
 * bound fails its run alone, a checkpoint, an emit or a step's result over its bound is refused
 * to the handler, and none of them is journaled.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RunDataLimitsTest {
  private static final int RESULT_BYTES = 2000;
  private static final int CHECKPOINT_BYTES = 3000;
  private static final int STEP_BYTES = 4000;
  private static final int EMIT_BYTES = 1500;
  private static final WorkerConfig RETRY_3 = WorkerConfig.DEFAULT.withRetry(
      RetryPolicy.of(3, Duration.ofMillis(20), Duration.ofMillis(50)));
  private final ObjectMapper json = new ObjectMapper();
  private String url;
  private ActorSystem<Void> system;
  private TroupeNode troupe;

  @BeforeAll
  void start() {
    url = TestNodes.newH2Url();
    system = TestNodes.system(TestNodes.config(url,
        "troupe.worker.max-result-bytes = " + RESULT_BYTES + "\n"
            + "troupe.worker.max-checkpoint-bytes = " + CHECKPOINT_BYTES + "\n"
            + "troupe.worker.max-step-result-bytes = " + STEP_BYTES + "\n"
            + "troupe.worker.stream.max-emit-bytes = " + EMIT_BYTES + "\n"));
    troupe = TroupeNode.start(system);
    // the mark upper-cased: the payload, which is journaled, holds it in lower case
    troupe.register("sized-result", RETRY_3, ctx -> CompletableFuture.completedFuture(sized(
        ctx.payload().get("mark").asText().toUpperCase(), ctx.payload().get("bytes").asInt())));
    troupe.registerBlocking("checkpoints", RETRY_3, ctx -> {
      ctx.checkpoint(json.createObjectNode().put("mark", "cp-small"));
      ObjectNode out = json.createObjectNode();
      try {
        ctx.checkpoint(sized("cp-big", CHECKPOINT_BYTES + 1));
      } catch (InvalidArgumentException e) {
        out.put("refused", e.getMessage());
      }
      ctx.checkpoint(sized("cp-at-bound", CHECKPOINT_BYTES));
      return out.put("last", ctx.lastCheckpoint().orElseThrow().get("s").asText()
          .substring(0, "cp-at-bound".length()));
    });
    troupe.registerBlocking("checkpoint-uncaught", RETRY_3, ctx -> {
      ctx.checkpoint(sized("cp-uncaught", CHECKPOINT_BYTES + 1));
      return json.createObjectNode();
    });
    troupe.registerBlocking("emits", RETRY_3, ctx -> {
      ctx.emit(json.createObjectNode().put("mark", "em-small"));
      ObjectNode out = json.createObjectNode();
      try {
        ctx.emit(sized("em-big", EMIT_BYTES + 1));
      } catch (InvalidArgumentException e) {
        out.put("refused", e.getMessage());
      }
      ctx.emit(sized("em-at-bound", EMIT_BYTES));
      return out;
    });
    troupe.registerBlocking("emit-uncaught", RETRY_3, ctx -> {
      ctx.emit(sized("em-uncaught", EMIT_BYTES + 1));
      return json.createObjectNode();
    });
    troupe.registerBlocking("steps", RETRY_3, ctx -> {
      ObjectNode out = json.createObjectNode();
      try { // a string is written with its two quotes
        ctx.step("big", String.class, () -> "st-big" + "x".repeat(STEP_BYTES - 7));
      } catch (PermanentFailure e) {
        out.put("refused", e.getMessage());
      }
      String atBound = ctx.step("fits", String.class, () -> "st-at-bound" + "x".repeat(
          STEP_BYTES - 13));
      return out.put("fits", atBound.length());
    });
    troupe.register("echo", WorkerConfig.DEFAULT,
        ctx -> CompletableFuture.completedFuture(ctx.payload()));
    troupe.register("deep-result", WorkerConfig.DEFAULT,
        ctx -> CompletableFuture.completedFuture(nested(200)));
    troupe.register("long-string-checkpoint", WorkerConfig.DEFAULT, ctx -> {
      ctx.checkpoint(json.createObjectNode().put("s", "x".repeat(20_000_001)));
      return CompletableFuture.completedFuture(json.createObjectNode());
    });
    troupe.register("long-name-result", WorkerConfig.DEFAULT,
        ctx -> CompletableFuture.completedFuture(json.createObjectNode().put("n".repeat(50_001),
            1)));
  }

  @AfterAll
  void stop() throws Exception {
    system.terminate();
    system.getWhenTerminated().toCompletableFuture().get(60, TimeUnit.SECONDS);
  }

  /** {@code {"s": "<mark>xx…"}}: exactly {@code bytes} bytes as JSON. */
  private ObjectNode sized(String mark, int bytes) {
    return json.createObjectNode().put("s", mark + "x".repeat(bytes - 8 - mark.length()));
  }

  /** Whether a row of the node's journal holds {@code text}. */
  private boolean journalHolds(String text) throws SQLException {
    try (Connection c = DriverManager.getConnection(url, "sa", "");
        ResultSet rs = c.createStatement()
            .executeQuery("SELECT \"event_payload\" FROM \"event_journal\"")) {
      while (rs.next()) {
        if (new String(rs.getBytes(1), StandardCharsets.UTF_8).contains(text)) {
          return true;
        }
      }
    }
    return false;
  }

  /** An object nested {@code levels} deep. */
  private ObjectNode nested(int levels) {
    ObjectNode root = json.createObjectNode();
    ObjectNode n = root;
    for (int i = 1; i < levels; i++) {
      n = n.putObject("a");
    }
    n.put("leaf", true);
    return root;
  }

  @Test
  void aPayloadNestedPastTheLimitIsRefusedAndTheRunsBesideItGoOn() {
    // given calls with ordinary payloads in flight
    List<CompletableFuture<RunResult>> others = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      others.add(troupe.call("echo", json.createObjectNode().put("i", i))
          .thenCompose(RunHandle::result).toCompletableFuture());
    }

    // when one payload nests 995 levels (well inside what Jackson parses)
    // then it is refused, naming the limit, before anything is recorded
    assertThatThrownBy(() -> troupe.call("echo", nested(995)))
        .isInstanceOf(InvalidArgumentException.class)
        .hasMessageContaining("payload nests").hasMessageContaining("max-json-depth");
    // and every other run succeeds on its first attempt
    for (CompletableFuture<RunResult> f : others) {
      RunResult r = Await.result(f);
      assertThat(r.status()).isEqualTo(RunStatus.SUCCEEDED);
      assertThat(r.attempts()).isEqualTo(1);
    }
    // and a payload at the limit goes through
    JsonNode atLimit = nested(64);
    assertThat(Await.result(troupe.run("echo", atLimit)).result()).isEqualTo(atLimit);
  }

  @Test
  void aResultNestedPastTheLimitFailsThatRunAlone() {
    // when a handler returns a result nested 200 levels
    RunResult r = Await.result(troupe.run("deep-result", json.createObjectNode()));

    // then that run fails for good, naming the limit, and the worker goes on
    assertThat(r.status()).isEqualTo(RunStatus.FAILED);
    assertThat(r.error().code()).isEqualTo(ErrorCode.PERMANENT_ERROR);
    assertThat(r.error().message()).contains("result").contains("max-json-depth");
    assertThat(Await.result(troupe.run("echo", json.createObjectNode())).status())
        .isEqualTo(RunStatus.SUCCEEDED);
  }

  @Test
  void aPayloadWithANumberTooLongToReadBackIsRefused() {
    // when a payload holds a number of 1,001 digits (the journal reads back at most 1,000)
    ObjectNode payload = json.createObjectNode().put("n", new BigInteger("9".repeat(1_001)));

    // then it is refused at the call, naming the limit, and one of 1,000 digits goes through
    assertThatThrownBy(() -> troupe.call("echo", payload))
        .isInstanceOf(InvalidArgumentException.class)
        .hasMessageContaining("payload has a number of 1001 characters")
        .hasMessageContaining("max-number-length");
    ObjectNode atLimit = json.createObjectNode().put("n", new BigInteger("9".repeat(1_000)));
    assertThat(Await.result(troupe.run("echo", atLimit)).result()).isEqualTo(atLimit);
  }

  @Test
  void aResultWithAFieldNameTooLongToReadBackFailsThatRunAlone() {
    // when a handler returns an object with a field name of 50,001 characters
    RunResult r = Await.result(troupe.run("long-name-result", json.createObjectNode()));

    // then that run fails for good, naming the limit, and the worker goes on
    assertThat(r.status()).isEqualTo(RunStatus.FAILED);
    assertThat(r.error().code()).isEqualTo(ErrorCode.PERMANENT_ERROR);
    assertThat(r.error().message()).contains("the handler's result has a field name")
        .contains("max-name-length");
    assertThat(Await.result(troupe.run("echo", json.createObjectNode())).status())
        .isEqualTo(RunStatus.SUCCEEDED);
  }

  @Test
  void aCheckpointWithAStringTooLongToReadBackIsRefusedToItsHandler() {
    // when a handler checkpoints a string of 20,000,001 characters (the journal reads 20,000,000)
    RunResult r = Await.result(troupe.run("long-string-checkpoint", json.createObjectNode()));

    // then the checkpoint is refused, naming the limit: that run fails for good, the worker goes
    // on
    assertThat(r.status()).isEqualTo(RunStatus.FAILED);
    assertThat(r.attempts()).isEqualTo(1);
    assertThat(r.error().code()).isEqualTo(ErrorCode.PERMANENT_ERROR);
    assertThat(r.error().message()).contains("a checkpoint has a string of 20000001 characters")
        .contains("max-string-length");
    assertThat(Await.result(troupe.run("echo", json.createObjectNode())).status())
        .isEqualTo(RunStatus.SUCCEEDED);
  }

  @Test
  void aResultOneByteOverItsBoundFailsThatRunAloneAndOneAtTheBoundSucceeds() throws Exception {
    // when a handler returns a result one byte over troupe.worker.max-result-bytes, another one
    // exactly at it
    RunResult over = Await.result(troupe.run("sized-result",
        json.createObjectNode().put("mark", "res-big").put("bytes", RESULT_BYTES + 1)));
    RunResult at = Await.result(troupe.run("sized-result",
        json.createObjectNode().put("mark", "res-at-bound").put("bytes", RESULT_BYTES)));

    // then the first run fails for good, naming the setting, its size and the bound
    assertThat(over.status()).isEqualTo(RunStatus.FAILED);
    assertThat(over.attempts()).isEqualTo(1);
    assertThat(over.error().code()).isEqualTo(ErrorCode.PERMANENT_ERROR);
    assertThat(over.error().message()).isEqualTo("the handler's result is 2001 bytes, over the"
        + " limit of 2000 (troupe.worker.max-result-bytes)");
    assertThat(over.result()).isNull();
    // and the second succeeds with its result, and the worker goes on
    assertThat(at.status()).isEqualTo(RunStatus.SUCCEEDED);
    assertThat(at.result()).isEqualTo(sized("RES-AT-BOUND", RESULT_BYTES));
    assertThat(Await.result(troupe.run("echo", json.createObjectNode())).status())
        .isEqualTo(RunStatus.SUCCEEDED);
    // and the journal never held the result over the bound
    assertThat(journalHolds("RES-AT-BOUND")).isTrue();
    assertThat(journalHolds("RES-BIG")).isFalse();
  }

  @Test
  void aCheckpointOverItsBoundIsRefusedToItsHandlerAndNeverJournaled() throws Exception {
    // when a handler checkpoints one byte over troupe.worker.max-checkpoint-bytes, catches what
    // it gets, and checkpoints again at the bound; and another one does not catch it
    RunResult caught = Await.result(troupe.run("checkpoints", json.createObjectNode()));
    RunResult uncaught = Await.result(troupe.run("checkpoint-uncaught", json.createObjectNode()));

    // then the handler got an InvalidArgumentException naming the setting, its size and the
    // bound, and its run went on to the checkpoint at the bound
    String refused = "a checkpoint is 3001 bytes, over the limit of 3000"
        + " (troupe.worker.max-checkpoint-bytes)";
    assertThat(caught.status()).isEqualTo(RunStatus.SUCCEEDED);
    assertThat(caught.result().path("refused").asText()).isEqualTo(refused);
    assertThat(caught.result().get("last").asText()).isEqualTo("cp-at-bound");
    // and uncaught it fails its run for good, on the first attempt, with that message
    assertThat(uncaught.status()).isEqualTo(RunStatus.FAILED);
    assertThat(uncaught.attempts()).isEqualTo(1);
    assertThat(uncaught.error().code()).isEqualTo(ErrorCode.PERMANENT_ERROR);
    assertThat(uncaught.error().message()).isEqualTo(refused);
    // and the journal never held a checkpoint over the bound
    assertThat(journalHolds("cp-small")).isTrue();
    assertThat(journalHolds("cp-at-bound")).isTrue();
    assertThat(journalHolds("cp-big")).isFalse();
    assertThat(journalHolds("cp-uncaught")).isFalse();
  }

  @Test
  void anEmitOverItsBoundIsRefusedToItsHandlerAndNeverJournaled() throws Exception {
    // when a handler emits one byte over troupe.worker.stream.max-emit-bytes, catches what it
    // gets, and emits again at the bound; and another one does not catch it
    RunHandle handle = Await.result(troupe.call("emits", json.createObjectNode()));
    RunResult caught = Await.result(handle.result());
    RunResult uncaught = Await.result(troupe.run("emit-uncaught", json.createObjectNode()));

    // then the handler got an InvalidArgumentException naming the setting, its size and the
    // bound, and its run went on
    String refused = "an emitted message is 1501 bytes, over the limit of 1500"
        + " (troupe.worker.stream.max-emit-bytes)";
    assertThat(caught.status()).isEqualTo(RunStatus.SUCCEEDED);
    assertThat(caught.result().path("refused").asText()).isEqualTo(refused);
    // and its stream holds the messages within the bound only
    List<RunEvent> events = Await.result(handle.messages().runWith(Sink.seq(), system));
    assertThat(events).filteredOn(e -> e.type().equals(RunEvent.MESSAGE))
        .extracting(e -> e.data().has("mark") ? e.data().get("mark").asText()
            : e.data().get("s").asText().substring(0, "em-at-bound".length()))
        .containsExactly("em-small", "em-at-bound");
    // and uncaught it fails its run for good, on the first attempt, with that message
    assertThat(uncaught.status()).isEqualTo(RunStatus.FAILED);
    assertThat(uncaught.attempts()).isEqualTo(1);
    assertThat(uncaught.error().code()).isEqualTo(ErrorCode.PERMANENT_ERROR);
    assertThat(uncaught.error().message()).isEqualTo(refused);
    // and the journal never held an emit over the bound
    assertThat(journalHolds("em-at-bound")).isTrue();
    assertThat(journalHolds("em-big")).isFalse();
    assertThat(journalHolds("em-uncaught")).isFalse();
  }

  @Test
  void aStepResultOverItsBoundFailsTheStepAndItsHandlerMayGoOn() throws Exception {
    // when a step's result is one byte over troupe.worker.max-step-result-bytes, and the handler
    // catches what it gets and runs a step whose result is at the bound
    RunResult r = Await.result(troupe.run("steps", json.createObjectNode()));

    // then the step failed, naming the setting, its size and the bound, and the run went on
    assertThat(r.status()).isEqualTo(RunStatus.SUCCEEDED);
    assertThat(r.result().path("refused").asText()).isEqualTo("the result of step 'big' is 4001"
        + " bytes, over the limit of 4000 (troupe.worker.max-step-result-bytes)");
    assertThat(r.result().get("fits").asInt()).isEqualTo(STEP_BYTES - 2);
    assertThat(r.steps()).containsExactly(new RunStep("big", StepStatus.FAILED, null),
        new RunStep("fits", StepStatus.SUCCEEDED, null));
    // and the journal never held the result over the bound
    assertThat(journalHolds("st-at-bound")).isTrue();
    assertThat(journalHolds("st-big")).isFalse();
  }
}
