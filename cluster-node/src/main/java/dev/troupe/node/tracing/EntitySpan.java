package dev.troupe.node.tracing;

import dev.troupe.persistence.RunSpec;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.StatusCode;

/**
 * The span of a worker entity's recording of one call, a child of the call's span: from the
 * entity receiving the call to its answer, which it sends once the batch that decided the call is
 * written (the wait for the batch before it included). The run's spec records this span's context,
 * so that the run's attempts are its children. Started by {@link RunTracing#entity}, ended once on
 * the entity's node.
 */
public final class EntitySpan {
  /** The span of a call that is not traced: every method is a no-op. */
  public static final EntitySpan NONE = new EntitySpan(null);

  private final Span span;

  EntitySpan(Span span) {
    this.span = span;
  }

  /**
   * {@code spec} with this span's context as its trace parent, which each attempt's span takes as
   * its parent; {@code spec} itself when the call is not traced.
   */
  public RunSpec traced(RunSpec spec) {
    return span == null ? spec : spec.withTraceParent(TraceParents.format(span));
  }

  /** Ends the span: the call was answered, decided in a batch of {@code commands} commands. */
  public void answered(int commands) {
    if (span != null) {
      span.setAttribute(SpanAttributes.BATCH_COMMANDS, (long) commands);
      span.end();
    }
  }

  /** Ends the span as failed: the entity will never answer the call, for {@code reason}. */
  public void lost(String reason) {
    if (span != null) {
      span.setStatus(StatusCode.ERROR, reason);
      span.end();
    }
  }
}
