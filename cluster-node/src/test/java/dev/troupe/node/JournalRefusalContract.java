package dev.troupe.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.troupe.api.InvalidArgumentException;
import dev.troupe.api.RunHandle;
import dev.troupe.api.RunRejectedException;
import dev.troupe.api.RunResult;
import dev.troupe.api.RunStatus;
import dev.troupe.api.WorkerConfig;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.LogCapturingExtension;
import org.apache.pekko.actor.typed.ActorSystem;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * One command that the journal will not write never fails the batch it was group-committed with:
 * the calls gathered with it are recorded and run, the running runs keep their attempt, and it
 * alone is refused, promptly and naming why, with nothing of it in the journal. The journal is the
 * real one; the database refuses the rows that carry a marker by a trigger on the journal's table
 * ({@link #install}), which also holds a first write while the test gathers the next batch behind
 * it. See {@link H2JournalRefusalTest} and {@link PostgresJournalRefusalTest}.
 */
@ExtendWith(LogCapturingExtension.class)
abstract class JournalRefusalContract {
  /** The rows that carry this are refused by the database. */
  static final String REFUSE = "refuse-this-row";
  /** The write of a row that carries this waits while the test holds it ({@link #hold}). */
  static final String HOLD = "hold-this-row";
  private static final JsonNodeFactory JSON = JsonNodeFactory.instance;
  private static final int GOOD = 5;

  private ActorSystem<Void> system;
  private TroupeNode node;
  private String url;
  private final CountDownLatch slowRunMayEnd = new CountDownLatch(1);
  /** Each attempt's start of the slow run. */
  private final List<Integer> slowAttempts = new CopyOnWriteArrayList<>();

  abstract String newDatabaseUrl();

  /** A connection to the node's database, as the test's own client. */
  abstract Connection connect(String url) throws SQLException;

  /** Creates the trigger on the journal's table that refuses and holds marked rows. */
  abstract void install(Connection c) throws SQLException;

  /** From now on, the write of a row marked {@link #HOLD} waits until {@link #release}. */
  abstract void hold(Connection c) throws SQLException;

  /** Whether a write waits in the trigger. */
  abstract boolean holding(Connection c) throws SQLException;

  abstract void release(Connection c) throws SQLException;

  @AfterEach
  void stop() {
    slowRunMayEnd.countDown();
    if (system != null) {
      system.terminate();
      Await.result(system.getWhenTerminated(), 60);
    }
  }

  /**
   * A node whose entities let 6 calls wait for a journal write (the 7th is refused at once), with
   * worker "w", which echoes its payload or, for {@code {"slow":true}}, waits for the test.
   */
  private void start(String extra) throws SQLException {
    url = newDatabaseUrl();
    system = TestNodes.system(TestNodes.config(url,
        "troupe.worker.intake-buffer = " + (GOOD + 1) + "\n" + extra));
    node = TroupeNode.start(system);
    node.registerBlocking("w", WorkerConfig.DEFAULT.withMaxConcurrent(20), ctx -> {
      if (ctx.payload().path("slow").asBoolean()) {
        slowAttempts.add(ctx.attempt());
        slowRunMayEnd.await();
      }
      return ctx.payload();
    });
    try (Connection c = connect(url)) {
      install(c);
    }
  }

  @Test
  void aCallWhoseRowTheDatabaseRefusesIsRefusedAloneAndTheOthersOfItsBatchAreRecorded()
      throws Exception {
    start("");
    refusedAloneInABatch(JSON.objectNode().put("note", REFUSE), REFUSE,
        "the database refused the write");
  }

  @Test
  void aCallWhoseEventsTheSerializerRejectsIsRefusedAloneAndTheOthersOfItsBatchAreRecorded()
      throws Exception {
    // a node whose journal's serializer writes documents nested 40 levels at most, below what
    // its limit lets a payload nest (64): the journal's entry wraps a payload in a few levels of
    // its own, so a payload nested 39 levels passes the limit and is rejected by the serializer
    start("pekko.serialization.jackson.write.max-nesting-depth = 40");
    refusedAloneInABatch(nested(39), "\"leaf\":true", "its serializer rejected the events");
  }

  /** {@code trace}: a text of the bad call's payload, that no other payload has. */
  private void refusedAloneInABatch(JsonNode bad, String trace, String why) throws Exception {
    // given a run executing its first attempt
    RunHandle slow = Await.result(node.call("w", JSON.objectNode().put("slow", true)));
    await().atMost(Duration.ofSeconds(30)).until(() -> slowAttempts.equals(List.of(1)));
    try (Connection c = connect(url)) {
      // and a write held in the database, so that the calls that follow gather behind it
      hold(c);
      CompletionStage<RunHandle> held = node.call("w", JSON.objectNode().put("note", HOLD));
      await().atMost(Duration.ofSeconds(30)).until(() -> holding(c));
      List<CompletableFuture<RunHandle>> good = new ArrayList<>();
      CompletableFuture<RunHandle> refused = null;
      for (int i = 0; i < GOOD; i++) {
        if (i == 2) {
          refused = call(bad); // amid the good ones
        }
        good.add(call(JSON.objectNode().put("good", i)));
      }
      CompletableFuture<RunHandle> badCall = refused;
      // and they all wait for the next write together: one more call finds no room behind them
      assertThatThrownBy(() -> Await.result(node.call("w", JSON.objectNode())))
          .isInstanceOf(RunRejectedException.class).hasMessageContaining("intake-buffer");

      // when the held write goes through, and the next one carries the bad call with the others
      release(c);

      // then the bad call alone is refused, naming why, rather than timing out
      assertThatThrownBy(() -> Await.result(badCall))
          .isInstanceOf(InvalidArgumentException.class)
          .hasMessageContaining("the journal refused to record this command")
          .hasMessageContaining(why);
      // and every other call was recorded and ran, on its first attempt
      for (CompletableFuture<RunHandle> g : good) {
        RunResult r = Await.result(g.thenCompose(RunHandle::result));
        assertThat(r.status()).isEqualTo(RunStatus.SUCCEEDED);
        assertThat(r.attempts()).isEqualTo(1);
      }
      assertThat(Await.result(held.thenCompose(RunHandle::result)).status())
          .isEqualTo(RunStatus.SUCCEEDED);
      // and the run executing meanwhile was not interrupted: it ends on its first attempt
      slowRunMayEnd.countDown();
      RunResult s = Await.result(slow.result());
      assertThat(s.status()).isEqualTo(RunStatus.SUCCEEDED);
      assertThat(s.attempts()).isEqualTo(1);
      assertThat(slowAttempts).containsExactly(1);
      // and the journal holds nothing of the bad call
      assertThat(journalHolds(c, trace)).isFalse();
      assertThat(journalHolds(c, "\"good\":" + (GOOD - 1))).isTrue();
    }
  }

  private CompletableFuture<RunHandle> call(JsonNode payload) {
    return node.call("w", payload).toCompletableFuture();
  }

  /** Whether a journal row's bytes hold {@code text}. */
  private static boolean journalHolds(Connection c, String text) throws SQLException {
    try (ResultSet rs = c.createStatement()
        .executeQuery("SELECT \"event_payload\" FROM \"event_journal\"")) {
      while (rs.next()) {
        if (new String(rs.getBytes(1), StandardCharsets.UTF_8).contains(text)) {
          return true;
        }
      }
    }
    return false;
  }

  private static ObjectNode nested(int levels) {
    ObjectNode root = JSON.objectNode();
    ObjectNode n = root;
    for (int i = 1; i < levels; i++) {
      n = n.putObject("a");
    }
    n.put("leaf", true);
    return root;
  }

  static String rowText(Object[] row) {
    StringBuilder b = new StringBuilder();
    for (Object v : row) {
      b.append(v instanceof byte[] bytes ? new String(bytes, StandardCharsets.UTF_8) : v)
          .append('|');
    }
    return b.toString();
  }

  static void awaitQuietly(CountDownLatch latch) {
    try {
      latch.await(60, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
