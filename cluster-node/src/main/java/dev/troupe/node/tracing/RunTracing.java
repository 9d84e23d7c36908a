package dev.troupe.node.tracing;

import dev.troupe.persistence.RunSpec;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;

/**
 * The spans of a node's runs: one trace per top-level run, a span per call (the parent, when
 * the caller has a current span, is that span: an attempt's for a child run), under it the span
 * of the worker entity's recording of the call, and under that a span per attempt, through the
 * trace context the run's {@link RunSpec} records. Each span is started and ended on one node.
 * Off, it makes no span and touches no OpenTelemetry code.
 */
public final class RunTracing {
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
        .setParent(Context.current()).setAttribute(SpanAttributes.WORKER, worker).startSpan());
  }

  /**
   * Starts the span of entity {@code entityId}'s recording of a call, a child of the call's span
   * that the call's {@code spec} names; {@link EntitySpan#NONE} when the call is not traced.
   */
  public EntitySpan entity(String worker, String entityId, RunSpec spec) {
    if (tracer == null || spec.traceParent() == null) {
      return EntitySpan.NONE;
    }
    return new EntitySpan(tracer.spanBuilder("entity " + worker).setSpanKind(SpanKind.CONSUMER)
        .setParent(TraceParents.parse(spec.traceParent()))
        .setAttribute(SpanAttributes.WORKER, worker)
        .setAttribute(SpanAttributes.ENTITY_ID, entityId).startSpan());
  }

  /**
   * Starts the span of attempt {@code attempt} of run {@code runId}, a child of the entity's span
   * that {@code spec} records; a no-op when the run has no trace context.
   */
  public AttemptSpan attempt(String worker, String runId, int attempt, RunSpec spec) {
    if (tracer == null || spec.traceParent() == null) {
      return AttemptSpan.NONE;
    }
    Span span = tracer.spanBuilder("attempt " + worker).setSpanKind(SpanKind.CONSUMER)
        .setParent(TraceParents.parse(spec.traceParent()))
        .setAttribute(SpanAttributes.WORKER, worker)
        .setAttribute(SpanAttributes.RUN_ID, runId)
        .setAttribute(SpanAttributes.ATTEMPT, (long) attempt).startSpan();
    return new AttemptSpan(span, Context.root().with(span));
  }
}
