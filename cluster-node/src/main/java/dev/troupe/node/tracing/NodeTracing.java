package dev.troupe.node.tracing;

import dev.troupe.node.config.TracingSettings;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import io.opentelemetry.sdk.trace.samplers.Sampler;
import java.util.concurrent.CompletableFuture;
import org.apache.pekko.Done;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorSystem;

/**
 * The node's own OpenTelemetry SDK, made from {@code troupe.tracing}: spans batched and sent
 * over OTLP (HTTP/protobuf, the JDK's HTTP client) off the node's threads, sampled by ratio
 * unless the parent decided, flushed and shut down before the actor system terminates.
 */
public final class NodeTracing {
  private NodeTracing() {}

  /** The tracing {@code system}'s settings ask for: {@link RunTracing#off()} unless enabled. */
  public static RunTracing fromSettings(ActorSystem<?> system) {
    TracingSettings settings = TracingSettings.fromConfig(system.settings().config());
    if (!settings.enabled()) {
      return RunTracing.off();
    }
    SdkTracerProvider provider = SdkTracerProvider.builder()
        .setResource(Resource.getDefault().merge(Resource.create(Attributes.of(
            AttributeKey.stringKey("service.name"), settings.serviceName()))))
        .setSampler(Sampler.parentBased(Sampler.traceIdRatioBased(settings.samplerRatio())))
        .addSpanProcessor(BatchSpanProcessor.builder(OtlpHttpSpanExporter.builder()
            .setEndpoint(settings.otlpEndpoint()).build()).build())
        .build();
    CoordinatedShutdown.get(system).addTask(
        CoordinatedShutdown.PhaseBeforeActorSystemTerminate(), "troupe-tracing-flush", () -> {
          CompletableFuture<Done> flushed = new CompletableFuture<>();
          provider.shutdown().whenComplete(() -> flushed.complete(Done.getInstance()));
          return flushed;
        });
    return RunTracing.of(OpenTelemetrySdk.builder().setTracerProvider(provider).build());
  }
}
