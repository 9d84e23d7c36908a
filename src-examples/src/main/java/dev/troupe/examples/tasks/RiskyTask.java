package dev.troupe.examples.tasks;

import dev.troupe.api.PermanentFailure;
import dev.troupe.api.Required;
import dev.troupe.api.RetryPolicy;
import dev.troupe.api.TransientFailure;
import dev.troupe.api.WorkerConfig;
import dev.troupe.api.WorkerModule;
import dev.troupe.api.WorkerRegistrar;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;

/**
 * {@code risky-task}: fetches {@code payload.url}, classifying what goes wrong as the seed does.
 *
 * <ul>
 *   <li>Invalid input fails the run permanently: a URL that is not an absolute http(s) one or a
 *       4xx answer, with the label {@code invalid-input}; a URL that does not parse throws
 *       {@code IllegalArgumentException}, which the definition's error classifier makes
 *       permanent.
 *   <li>A 5xx answer throws {@link TransientFailure}; a network error is an {@code IOException},
 *       and an exception the classifier does not name is transient: all three are retried (3
 *       attempts, 100 ms to 1 s apart).
 * </ul>
 *
 * <p>Returns {@code {"status", "length"}}.
 */
public final class RiskyTask implements WorkerModule {
  static final WorkerConfig CONFIG = WorkerConfig.DEFAULT
      .withRetry(RetryPolicy.of(3, Duration.ofMillis(100), Duration.ofSeconds(1)))
      .withErrorClassifier(failure -> failure instanceof IllegalArgumentException);

  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  record Params(@Required String url) {}

  @Override
  public void install(WorkerRegistrar troupe) {
    troupe.job("risky-task", Params.class, CONFIG, (params, ctx) -> {
      URI uri = URI.create(params.url().strip());
      if (!uri.isAbsolute() || !uri.getScheme().startsWith("http")) {
        throw PermanentFailure.coded("invalid-input", "Invalid input: not an http URL: " + uri);
      }
      HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(uri).build(),
          HttpResponse.BodyHandlers.ofString());
      int status = response.statusCode();
      if (status >= 500) {
        throw new TransientFailure("Server error " + status + " from " + uri);
      }
      if (status >= 400) {
        throw PermanentFailure.coded("invalid-input", "Invalid input: " + status + " for " + uri);
      }
      return Map.of("status", status, "length", response.body().length());
    });
  }
}
