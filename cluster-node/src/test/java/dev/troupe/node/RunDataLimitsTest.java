package dev.troupe.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.troupe.api.ErrorCode;
import dev.troupe.api.InvalidArgumentException;
import dev.troupe.api.RunHandle;
import dev.troupe.api.RunResult;
import dev.troupe.api.RunStatus;
import dev.troupe.api.WorkerConfig;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorSystem;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Data nested deeper than the journal can write, or holding numbers or field names longer than it
 * reads back, is refused before it is recorded: a caller's payload at the call, a handler's result
 * by failing that run alone. The journal's serializer
 * refuses documents nested past 1000 levels; a payload just under that, once wrapped in the
 * journal's batch, would fail the write of every run written with it.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RunDataLimitsTest {
  private final ObjectMapper json = new ObjectMapper();
  private ActorSystem<Void> system;
  private TroupeNode troupe;

  @BeforeAll
  void start() {
    system = TestNodes.system(TestNodes.config(TestNodes.newH2Url(), ""));
    troupe = TroupeNode.start(system);
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

    // then the checkpoint is refused, naming the limit: that run fails, the worker goes on
    assertThat(r.status()).isEqualTo(RunStatus.FAILED);
    assertThat(r.error().message()).contains("a checkpoint has a string of 20000001 characters")
        .contains("max-string-length");
    assertThat(Await.result(troupe.run("echo", json.createObjectNode())).status())
        .isEqualTo(RunStatus.SUCCEEDED);
  }
}
