package dev.troupe.node;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.troupe.api.RunHandle;
import dev.troupe.api.RunResult;
import dev.troupe.api.RunStatus;
import dev.troupe.api.WorkerConfig;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorSystem;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * One journal write of a worker entity carries at most {@code troupe.worker.max-batch-bytes} of
 * run data: calls that arrive together with large payloads (and their large results) are written
 * in several entries, each within the bound, rather than in one entry the database must take,
 * and every recovery must read, whole.
 */
class JournalBatchBytesTest {
  private static final int BOUND = 8_192;
  private static final int PAYLOAD = 3_000;
  private static final int CALLS = 100;
  private String url;
  private ActorSystem<Void> system;

  @AfterEach
  void stop() throws Exception {
    system.terminate();
    system.getWhenTerminated().toCompletableFuture().get(60, TimeUnit.SECONDS);
  }

  @Test
  void callsArrivingTogetherAreWrittenInEntriesWithinTheBound() throws Exception {
    // given a node whose journal writes carry at most 8 KB of run data, and a worker that
    // returns its payload of 3 KB as its result
    url = TestNodes.newH2Url();
    system = TestNodes.system(TestNodes.config(url,
        "troupe.worker.max-batch-bytes = " + BOUND + "\n"));
    TroupeNode troupe = TroupeNode.start(system);
    troupe.registerBlocking("echo", WorkerConfig.DEFAULT, ctx -> ctx.payload());

    // when a hundred calls arrive at once
    List<CompletableFuture<RunHandle>> calls = new ArrayList<>();
    for (int i = 0; i < CALLS; i++) {
      calls.add(troupe.call("echo", JsonNodeFactory.instance.objectNode().put("i", i)
          .put("text", "x".repeat(PAYLOAD))).toCompletableFuture());
    }

    // then every run succeeds, and no journal entry holds more than the bound and one more
    // event's fixed fields
    for (CompletableFuture<RunHandle> call : calls) {
      RunResult r = Await.result(call.get(30, TimeUnit.SECONDS).result(), 30);
      assertThat(r.status()).isEqualTo(RunStatus.SUCCEEDED);
    }
    assertThat(largestEntry()).isGreaterThan(PAYLOAD).isLessThan(BOUND + 2_048);
  }

  /** The bytes of the node's largest journal entry. */
  private long largestEntry() throws SQLException {
    try (Connection c = DriverManager.getConnection(url, "sa", "");
        ResultSet rs = c.createStatement().executeQuery(
            "SELECT MAX(OCTET_LENGTH(\"event_payload\")) FROM \"event_journal\"")) {
      rs.next();
      return rs.getLong(1);
    }
  }
}
