package dev.troupe.node.logging;

import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.encoder.Encoder;
import ch.qos.logback.core.encoder.EncoderBase;
import java.util.Locale;
import net.logstash.logback.encoder.LogstashEncoder;

/**
 * A Logback encoder whose output format is chosen by one setting, so that one {@code logback.xml}
 * serves a terminal and a log collector: {@code text} (the default) writes {@link #setPattern the
 * pattern}; {@code json} writes one JSON object per line with logstash-logback-encoder's {@link
 * LogstashEncoder} ({@code @timestamp}, {@code level}, {@code logger_name}, {@code thread_name},
 * {@code message}, {@code stack_trace}, and every MDC entry, such as {@code runId} and {@code
 * worker}, as a field of its own). The runnable node's {@code logback.xml} sets the format from
 * {@code TROUPE_LOG_FORMAT}:
 *
 * <pre>{@code
 * <encoder class="dev.troupe.node.logging.TroupeLogEncoder">
 *   <format>${TROUPE_LOG_FORMAT:-text}</format>
 *   <pattern>%d{HH:mm:ss.SSS} %-5level %logger{30} - %msg%n</pattern>
 * </encoder>
 * }</pre>
 *
 * <p>The format is read case-insensitively; an unknown one falls back to text with a warning in
 * Logback's status, so a typo never silences the logs.
 */
public final class TroupeLogEncoder extends EncoderBase<ILoggingEvent> {
  /** What text lines look like when no pattern is set. */
  public static final String DEFAULT_PATTERN = "%d{HH:mm:ss.SSS} %-5level %logger{30} - %msg%n";

  private String format = "text";
  private String pattern = DEFAULT_PATTERN;
  private Encoder<ILoggingEvent> delegate;

  /** {@code text} or {@code json}. */
  public void setFormat(String format) {
    this.format = format;
  }

  /** The layout pattern of the text format. */
  public void setPattern(String pattern) {
    this.pattern = pattern;
  }

  /** Whether this encoder writes JSON (after {@link #start()}). */
  public boolean json() {
    return delegate instanceof LogstashEncoder;
  }

  @Override
  public void start() {
    String chosen = format == null ? "" : format.trim().toLowerCase(Locale.ROOT);
    if (chosen.equals("json")) {
      delegate = new LogstashEncoder();
    } else {
      if (!chosen.equals("text") && !chosen.isEmpty()) {
        addWarn("unknown log format '" + format + "' (TROUPE_LOG_FORMAT): text or json; writing"
            + " text");
      }
      PatternLayoutEncoder text = new PatternLayoutEncoder();
      text.setPattern(pattern);
      delegate = text;
    }
    delegate.setContext(getContext());
    delegate.start();
    super.start();
  }

  @Override
  public void stop() {
    if (delegate != null) {
      delegate.stop();
    }
    super.stop();
  }

  @Override
  public byte[] headerBytes() {
    return delegate.headerBytes();
  }

  @Override
  public byte[] encode(ILoggingEvent event) {
    return delegate.encode(event);
  }

  @Override
  public byte[] footerBytes() {
    return delegate.footerBytes();
  }
}
