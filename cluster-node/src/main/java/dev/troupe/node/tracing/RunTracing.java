package dev.troupe.node.tracing;

import dev.troupe.persistence.RunSpec;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;

/**
 * The spans of a node's runs: one trace per top-level run, a span per call (the parent, when
 * the caller has a current span, is that span: an attempt's for a child run) and a span per
 * attempt, the child of its call's span through the trace context the run's {@link RunSpec}
 * records. Each span is started and ended on one node. Off, it makes no span and touches no
 * OpenTelemetry code.
 */
public final class RunTracing {
  static final AttributeKey<String> WORKER = AttributeKey.stringKey("troupe.worker");
  static final AttributeKey<String> RUN_ID = AttributeKey.stringKey("troupe.run.id");
  static final AttributeKey<Boolean> IDEMPOTENT_HIT =
      AttributeKey.booleanKey("troupe.call.idempotent_hit");
  static final AttributeKey<Long> ATTEMPT = AttributeKey.longKey("troupe.attempt");
  static final AttributeKey<String> OUTCOME = AttributeKey.stringKey("troupe.outcome");
  static final AttributeKey<String> ERROR_CODE = AttributeKey.stringKey("troupe.error.code");
  static final AttributeKey<String> STEP_NAME = AttributeKey.stringKey("troupe.step.name");
  static final AttributeKey<String> STEP_STATUS = AttributeKey.stringKey("troupe.step.status");

  private static final RunTracing OFF = new RunTracing(null);

  private final Tracer tracer;

  private RunTracing(Tracer tracer) {
    this.tracer = tracer;
  }

  /** No tracing: every span is a no-op and no run records a trace context. */
  public static RunTracing off() {
    return OFF;
  }

  /**
   * Tracing with {@code openTelemetry}'s tracer (instrumentation scope {@code dev.troupe}): its
   * owner chooses the exporter and sampler, and shuts it down.
   */
  public static RunTracing of(OpenTelemetry openTelemetry) {
    return new RunTracing(openTelemetry.getTracer("dev.troupe"));
  }

  /**
   * Starts the span of a call of {@code worker}, a child of the calling thread's current span
   * when it has one (a handler's child call, or an application's own traced request).
   */
  public CallSpan call(String worker) {
    if (tracer == null) {
      return CallSpan.NONE;
    }
    return new CallSpan(tracer.spanBuilder("call " + worker).setSpanKind(SpanKind.PRODUCER)
        .setParent(Context.current()).setAttribute(WORKER, worker).startSpan());
  }

  /**
   * Starts the span of attempt {@code attempt} of run {@code runId}, a child of the call's span
   * that {@code spec} records; a no-op when the run has no trace context.
   */
  public AttemptSpan attempt(String worker, String runId, int attempt, RunSpec spec) {
    if (tracer == null || spec.traceParent() == null) {
      return AttemptSpan.NONE;
    }
    Span span = tracer.spanBuilder("attempt " + worker).setSpanKind(SpanKind.CONSUMER)
        .setParent(TraceParents.parse(spec.traceParent())).setAttribute(WORKER, worker)
        .setAttribute(RUN_ID, runId).setAttribute(ATTEMPT, (long) attempt).startSpan();
    return new AttemptSpan(span, Context.root().with(span));
  }
}
