package dev.troupe.node;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.troupe.api.RunResult;
import dev.troupe.api.RunStatus;
import dev.troupe.api.WorkerConfig;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorSystem;
import org.junit.jupiter.api.Test;

class SmokeTest {
  @Test
  void echo() throws Exception {
    ActorSystem<Void> system = TestNodes.system(TestNodes.config(TestNodes.newH2Url(), ""));
    try {
      TroupeNode node = TroupeNode.start(system);
      node.register("echo", WorkerConfig.DEFAULT, ctx -> CompletableFuture.completedFuture(ctx.payload()));
      RunResult r = node.run("echo", JsonNodeFactory.instance.objectNode().put("a", 1))
          .toCompletableFuture().get(20, TimeUnit.SECONDS);
      assertThat(r.status()).isEqualTo(RunStatus.SUCCEEDED);
      assertThat(r.result().get("a").asInt()).isEqualTo(1);
      System.out.println(r);
    } finally {
      system.terminate();
      system.getWhenTerminated().toCompletableFuture().get(20, TimeUnit.SECONDS);
    }
  }
}
