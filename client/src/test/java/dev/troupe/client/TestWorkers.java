package dev.troupe.client;

import com.fasterxml.jackson.databind.JsonNode;
import dev.troupe.api.PermanentFailure;
import dev.troupe.api.RetryPolicy;
import dev.troupe.api.Troupe;
import dev.troupe.api.WorkerConfig;
import java.time.Duration;

/** The workers the client's tests call (the examples module depends on the client, not back). */
final class TestWorkers {
  private TestWorkers() {}

  static void register(Troupe node) {
    node.registerBlocking("echo", WorkerConfig.DEFAULT, ctx -> ctx.payload());
    node.registerBlocking("fail", WorkerConfig.DEFAULT, ctx -> {
      throw new PermanentFailure("asked to fail");
    });
    // {children}: calls echo that many times, each a child run, then {"children": children}
    node.registerBlocking("parent", WorkerConfig.DEFAULT, ctx -> {
      int children = ctx.payload().path("children").asInt(2);
      for (int i = 0; i < children; i++) {
        ctx.call("echo", ctx.newObject().put("child", i)).await();
      }
      return ctx.newObject().put("children", children);
    });
    // {steps, intervalMs}: a progress report per step, then {"steps": steps}
    node.registerBlocking("progress", WorkerConfig.DEFAULT, ctx -> {
      int steps = ctx.payload().path("steps").asInt(5);
      long interval = ctx.payload().path("intervalMs").asLong(50);
      for (int i = 1; i <= steps; i++) {
        ctx.sleep(Duration.ofMillis(interval));
        ctx.progress(i * 100.0 / steps, "step " + i + "/" + steps);
      }
      return ctx.newObject().put("steps", steps);
    });
    // {ms}: sleeps, cut short by a cancel or a timeout; one attempt, so a timeout ends the run
    node.registerBlocking("slow", WorkerConfig.DEFAULT.withRetry(RetryPolicy.NONE), ctx -> {
      long ms = ctx.payload().path("ms").asLong(60_000);
      ctx.sleep(Duration.ofMillis(ms));
      return ctx.newObject().put("sleptMs", ms);
    });
    // {count, intervalMs}: emits {"i", "attempt"} count times; a crashed attempt is tried again
    node.registerBlocking("emitter", WorkerConfig.DEFAULT.withRetry(
        RetryPolicy.of(3, Duration.ofMillis(50), Duration.ofMillis(50))), ctx -> {
          int count = ctx.payload().path("count").asInt(10);
          long interval = ctx.payload().path("intervalMs").asLong(100);
          for (int i = 1; i <= count; i++) {
            ctx.emit(ctx.newObject().put("i", i).put("attempt", ctx.attempt()));
            ctx.sleep(Duration.ofMillis(interval));
          }
          JsonNode done = ctx.newObject().put("count", count).put("attempt", ctx.attempt());
          return done;
        });
  }
}
