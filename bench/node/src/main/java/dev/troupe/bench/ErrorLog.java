package dev.troupe.bench;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.core.AppenderBase;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Counts the ERROR events the node logs while the benchmark runs (logback appender, see
 * logback.xml), so that the report says when the runtime failed underneath the figures.
 */
public final class ErrorLog extends AppenderBase<ILoggingEvent> {
  private static final Object LOCK = new Object();
  private static final Map<String, Integer> KINDS = new LinkedHashMap<>();
  private static long count;

  @Override
  protected void append(ILoggingEvent e) {
    if (!e.getLevel().isGreaterOrEqual(Level.ERROR)) {
      return;
    }
    String kind = e.getLoggerName() + ": " + firstLine(e.getFormattedMessage());
    IThrowableProxy t = e.getThrowableProxy();
    while (t != null && t.getCause() != null) {
      t = t.getCause();
    }
    if (t != null) {
      kind += " (root cause " + t.getClassName() + ": " + firstLine(t.getMessage()) + ")";
    }
    synchronized (LOCK) {
      count++;
      if (KINDS.size() < 20 || KINDS.containsKey(kind)) {
        KINDS.merge(kind, 1, Integer::sum);
      }
    }
  }

  private static String firstLine(String s) {
    if (s == null) {
      return "";
    }
    int nl = s.indexOf('\n');
    String line = nl < 0 ? s : s.substring(0, nl);
    return line.length() > 300 ? line.substring(0, 300) + "…" : line;
  }

  /** ERROR events since the last call, by kind ("logger: message (root cause)"), and clears. */
  static List<String> drain() {
    synchronized (LOCK) {
      List<String> out = new ArrayList<>();
      if (count > 0) {
        out.add(count + " ERROR log events");
        KINDS.forEach((k, n) -> out.add(n + "× " + k));
      }
      KINDS.clear();
      count = 0;
      return out;
    }
  }
}
