package dev.troupe.node;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.troupe.api.RunHandle;
import dev.troupe.api.RunResult;
import dev.troupe.api.RunStatus;
import dev.troupe.api.WorkerConfig;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorSystem;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * A finished run whose data is over {@code troupe.worker.retained-run-bytes} is kept by its
 * entity as a summary; every reader still gets the whole run, from the run history (H2 here,
 * written by the real projection), including one that asks right after the run ended.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SummarizedRunsTest {
  private final ObjectMapper json = new ObjectMapper();
  private ActorSystem<Void> system;
  private TroupeNode troupe;

  @BeforeAll
  void start() {
    system = TestNodes.system(TestNodes.config(TestNodes.newH2Url(),
        "troupe.worker.retained-run-bytes = 100\n"));
    troupe = TroupeNode.start(system);
    troupe.register("shout", WorkerConfig.DEFAULT, ctx -> CompletableFuture.completedFuture(
        json.createObjectNode().put("loud", ctx.payload().get("text").asText().toUpperCase())));
  }

  @AfterAll
  void stop() throws Exception {
    system.terminate();
    system.getWhenTerminated().toCompletableFuture().get(60, TimeUnit.SECONDS);
  }

  private JsonNode payload() {
    return json.createObjectNode().put("text", "a".repeat(2_000));
  }

  @Test
  void aLargeRunIsReadWholeAtOnceAfterItEndsAndLaterThroughEveryReader() {
    // given a run whose payload and result are far over the retained bytes
    RunHandle h = Await.result(troupe.call("shout", payload()));
    RunResult ended = Await.result(h.result());
    assertThat(ended.status()).isEqualTo(RunStatus.SUCCEEDED);

    // when it is read right after it ended (the projection may not have stored it yet),
    Optional<RunResult> first = Await.result(troupe.lookup(h.runId()));
    // and through the other readers of a finished run
    RunResult again = Await.result(troupe.attach(h.runId()).result());

    // then every reader gets it whole
    for (RunResult r : new RunResult[] {first.orElseThrow(), again}) {
      assertThat(r.status()).isEqualTo(RunStatus.SUCCEEDED);
      assertThat(r.payload()).isEqualTo(payload());
      assertThat(r.result().get("loud").asText()).isEqualTo("A".repeat(2_000));
      assertThat(r.attempts()).isEqualTo(1);
    }
  }
}
