package dev.troupe.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** The client against a node with client and admin tokens. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TokenAuthTest {
  private static final Duration WAIT = Duration.ofSeconds(30);
  private TestNode node;

  @BeforeAll
  void start() {
    node = TestNode.start(TestNode.newH2Url(), 0,
        "troupe.http { client-tokens = \"client-secret\", admin-tokens = \"admin-secret\" }");
  }

  @AfterAll
  void stop() {
    if (node != null) {
      node.close();
    }
  }

  private TroupeClient client(String token) {
    return TroupeClient.builder().baseUrls(node.url()).token(token).build();
  }

  @Test
  void withoutATokenOrWithAWrongOneEveryRequestIsDenied() {
    assertThatThrownBy(() -> client(null).call("echo", Map.of()))
        .isInstanceOfSatisfying(AccessDeniedException.class, e -> {
          assertThat(e.status()).isEqualTo(401);
          assertThat(e.code()).isEqualTo("UNAUTHORIZED");
        });
    assertThatThrownBy(() -> client("guess").workers())
        .isInstanceOfSatisfying(AccessDeniedException.class,
            e -> assertThat(e.getMessage()).contains("not valid"));
  }

  @Test
  void aClientTokenCallsReadsAndStreamsButMayNotCancel() {
    TroupeClient c = client("client-secret");
    Run run = c.callAndWait("progress", Map.of("steps", 2, "intervalMs", 10), WAIT);
    assertThat(run.status()).isEqualTo(RunStatus.SUCCEEDED);
    List<RunEvent> events = new ArrayList<>();
    c.events(run.runId()).forEachRemaining(events::add);
    assertThat(events.get(events.size() - 1).run()).isEqualTo(run);
    RunRef slow = c.call("slow", Map.of("ms", 60_000));
    assertThatThrownBy(() -> c.cancel(slow.runId()))
        .isInstanceOfSatisfying(AccessDeniedException.class, e -> {
          assertThat(e.status()).isEqualTo(403);
          assertThat(e.code()).isEqualTo("FORBIDDEN");
        });
    client("admin-secret").cancel(slow.runId());
    assertThat(c.awaitResult(slow.runId(), WAIT).status()).isEqualTo(RunStatus.CANCELLED);
  }
}
