package dev.troupe.node.tracing;

import dev.troupe.api.RunError;
import dev.troupe.persistence.StepRecord;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The span of one attempt of a run, a child of the span of its entity's recording of the call:
 * started by {@link RunTracing#attempt} when the attempt is granted, ended once on the node that
 * runs it.
 */
public final class AttemptSpan {
  /** The span of an attempt that is not traced: every method is a no-op. */
  public static final AttemptSpan NONE = new AttemptSpan(null, null);

  private final Span span;
  private final Context context;
  private final AtomicBoolean ended = new AtomicBoolean();

  AttemptSpan(Span span, Context context) {
    this.span = span;
    this.context = context;
  }

  /**
   * Makes this attempt's span the current one on the calling thread until the scope closes: a
   * call made meanwhile (a child run, or the handler's own instrumentation) is its child.
   */
  public Scope makeCurrent() {
    return span == null ? Scope.noop() : context.makeCurrent();
  }

  /**
   * Records a durable step the attempt wrote as an event of the span: {@code step} with the
   * step's status, or {@code compensation} with its compensation's once that ran.
   */
  public void step(StepRecord step) {
    if (span != null) {
      boolean compensated = step.compensationStatus() != null;
      span.addEvent(compensated ? "compensation" : "step", Attributes.of(SpanAttributes.STEP_NAME,
          step.name(), SpanAttributes.STEP_STATUS,
          (compensated ? step.compensationStatus() : step.status()).name()));
    }
  }

  /**
   * Ends the span with the attempt's {@code outcome} and its {@code error} (null when none); only
   * the first end counts.
   */
  public void end(String outcome, RunError error) {
    if (span == null || !ended.compareAndSet(false, true)) {
      return;
    }
    span.setAttribute(SpanAttributes.OUTCOME, outcome);
    if (error != null) {
      span.setAttribute(SpanAttributes.ERROR_CODE, error.code().name());
      span.setStatus(StatusCode.ERROR, error.message());
    }
    span.end();
  }
}
