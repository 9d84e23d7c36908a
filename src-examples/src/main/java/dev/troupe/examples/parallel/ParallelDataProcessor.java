package dev.troupe.examples.parallel;

import com.fasterxml.jackson.databind.JsonNode;
import dev.troupe.api.PermanentFailure;
import dev.troupe.api.RunResult;
import dev.troupe.api.RunStatus;
import dev.troupe.api.WorkerContext;
import dev.troupe.api.WorkerModule;
import dev.troupe.api.WorkerRegistrar;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * {@code parallel-data-processor}: enriches {@code payload.items}, each in a child run of {@code
 * enrich-item} (its own attempts, anywhere in the cluster), at most {@code payload.maxConcurrency}
 * (default 10) unfinished at a time. An item takes 100 ms and gets its MD5 hash; a {@code null}
 * item fails its child alone, for good, and is reported in {@code errors} with its index. The
 * result: {@code {"processedItems", "successfulCount", "errorCount", "errors", "totalItems"}}.
 * A retried parent gets the children of its earlier attempts back instead of starting new ones;
 * cancelling it cancels its unfinished children.
 */
public final class ParallelDataProcessor implements WorkerModule {
  record Batch(List<JsonNode> items, Integer maxConcurrency) {}

  record Item(JsonNode item) {}

  record Processed(JsonNode original, Instant processedAt, String status, String hash) {}

  record ItemError(int itemIndex, JsonNode item, String error) {}

  record Report(List<Processed> processedItems, int successfulCount, int errorCount,
      List<ItemError> errors, int totalItems) {}

  @Override
  public void install(WorkerRegistrar troupe) {
    troupe.job("enrich-item", Item.class, (item, ctx) -> enrich(item.item(), ctx));
    troupe.job("parallel-data-processor", Batch.class, (batch, ctx) -> {
      List<JsonNode> items = Objects.requireNonNullElse(batch.items(), List.of());
      int parallelism = Math.max(1, Objects.requireNonNullElse(batch.maxConcurrency(), 10));
      List<RunResult> children = ctx.await(ctx.callAll("enrich-item",
          items.stream().map(Item::new).toList(), parallelism));
      List<Processed> processed = new ArrayList<>();
      List<ItemError> errors = new ArrayList<>();
      for (int i = 0; i < items.size(); i++) {
        RunResult child = children.get(i);
        if (child.status() == RunStatus.SUCCEEDED) {
          processed.add(ctx.json().treeToValue(child.result(), Processed.class));
        } else {
          errors.add(new ItemError(i, items.get(i), child.error().message()));
        }
      }
      return new Report(processed, processed.size(), errors.size(), errors, items.size());
    });
  }

  private static Processed enrich(JsonNode item, WorkerContext ctx) throws Exception {
    ctx.sleep(Duration.ofMillis(100)); // the simulated work
    if (item == null || item.isNull()) {
      throw new PermanentFailure("null item");
    }
    byte[] md5 = MessageDigest.getInstance("MD5")
        .digest(item.toString().getBytes(StandardCharsets.UTF_8));
    return new Processed(item, Instant.now(), "processed", String.format("%032x",
        new BigInteger(1, md5)));
  }
}
