package dev.troupe.node.tracing;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.context.Context;

/**
 * A span context as a W3C {@code traceparent} value ({@code 00-<trace id>-<span id>-<flags>}),
 * the form a run's spec records it in, and back.
 */
final class TraceParents {
  private TraceParents() {}

  /** The value of {@code span}'s context, or null when it is not valid. */
  static String format(Span span) {
    SpanContext c = span.getSpanContext();
    return c.isValid()
        ? "00-" + c.getTraceId() + "-" + c.getSpanId() + "-" + c.getTraceFlags().asHex() : null;
  }

  /**
   * A context whose span is the remote parent {@code value} names; the root context when the
   * value is null or malformed.
   */
  static Context parse(String value) {
    if (value == null || value.length() != 55) {
      return Context.root();
    }
    SpanContext c = SpanContext.createFromRemoteParent(value.substring(3, 35),
        value.substring(36, 52), TraceFlags.fromHex(value, 53), TraceState.getDefault());
    return c.isValid() ? Context.root().with(Span.wrap(c)) : Context.root();
  }
}
