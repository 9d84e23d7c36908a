package dev.troupe.node.tracing;

import dev.troupe.persistence.RunSpec;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.StatusCode;
import java.util.concurrent.CompletionException;

/**
 * The span of one call, from the facade's checks to the entity's answer: started by {@link
 * RunTracing#call}, ended once by {@link #end} on the node that started it.
 */
public final class CallSpan {
  static final CallSpan NONE = new CallSpan(null);

  private final Span span;

  CallSpan(Span span) {
    this.span = span;
  }

  /**
   * {@code spec} with this span's context as its trace parent, which the entity's span takes as
   * its parent; {@code spec} itself when tracing is off.
   */
  public RunSpec traced(RunSpec spec) {
    return span == null ? spec : spec.withTraceParent(TraceParents.format(span));
  }

  /**
   * Ends the span: with the run the entity answered ({@code existing}: an idempotent hit, the run
   * an earlier call made), or with the call's {@code failure}.
   */
  public void end(String runId, boolean existing, Throwable failure) {
    if (span == null) {
      return;
    }
    if (failure != null) {
      Throwable cause = failure instanceof CompletionException && failure.getCause() != null
          ? failure.getCause() : failure;
      span.recordException(cause);
      span.setStatus(StatusCode.ERROR, String.valueOf(cause.getMessage()));
    } else {
      span.setAttribute(SpanAttributes.RUN_ID, runId);
      span.setAttribute(SpanAttributes.IDEMPOTENT_HIT, existing);
    }
    span.end();
  }
}
