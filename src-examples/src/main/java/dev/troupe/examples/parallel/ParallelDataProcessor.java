package dev.troupe.examples.parallel;

import com.fasterxml.jackson.databind.JsonNode;
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
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * {@code parallel-data-processor}: enriches {@code payload.items}, at most {@code
 * payload.maxConcurrency} (default 10) at a time, inside one run: each item takes 100 ms and gets
 * its MD5 hash; a {@code null} item fails alone and is reported in {@code errors} with its index.
 * The result: {@code {"processedItems", "successfulCount", "errorCount", "errors",
 * "totalItems"}}. Cancelling the run interrupts the items still in flight.
 *
 * <p>Troupe has no child runs yet; once they land, fanning out to one run per item gives each
 * item its own retries. Until then the parallelism is in-handler, bounded by a pool of the
 * handler's own.
 */
public final class ParallelDataProcessor implements WorkerModule {
  record Batch(List<JsonNode> items, Integer maxConcurrency) {}

  record Processed(JsonNode original, Instant processedAt, String status, String hash) {}

  record ItemError(int itemIndex, JsonNode item, String error) {}

  record Report(List<Processed> processedItems, int successfulCount, int errorCount,
      List<ItemError> errors, int totalItems) {}

  @Override
  public void install(WorkerRegistrar troupe) {
    troupe.job("parallel-data-processor", Batch.class, (batch, ctx) -> {
      List<JsonNode> items = Objects.requireNonNullElse(batch.items(), List.of());
      int threads = Math.max(1, Objects.requireNonNullElse(batch.maxConcurrency(), 10));
      ExecutorService pool = Executors.newFixedThreadPool(threads);
      List<Future<Processed>> results;
      try {
        results = pool.invokeAll(items.stream()
            .map(item -> (Callable<Processed>) () -> process(item, ctx)).toList());
      } finally {
        pool.shutdownNow();
      }
      List<Processed> processed = new ArrayList<>();
      List<ItemError> errors = new ArrayList<>();
      for (int i = 0; i < items.size(); i++) {
        try {
          processed.add(results.get(i).get());
        } catch (ExecutionException e) {
          errors.add(new ItemError(i, items.get(i), e.getCause().getMessage()));
        }
      }
      return new Report(processed, processed.size(), errors.size(), errors, items.size());
    });
  }

  private static Processed process(JsonNode item, WorkerContext ctx) throws Exception {
    ctx.sleep(Duration.ofMillis(100)); // the simulated work
    if (item == null || item.isNull()) {
      throw new IllegalArgumentException("null item");
    }
    byte[] md5 = MessageDigest.getInstance("MD5")
        .digest(item.toString().getBytes(StandardCharsets.UTF_8));
    return new Processed(item, Instant.now(), "processed", String.format("%032x",
        new BigInteger(1, md5)));
  }
}
