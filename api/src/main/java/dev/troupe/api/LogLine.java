package dev.troupe.api;

import java.util.Arrays;

/**
 * A log message made from an SLF4J-style pattern: each {@code {}} takes the next argument, and a
 * {@link Throwable} left over after the placeholders is the message's throwable (logged with its
 * stack trace), as SLF4J does. Placeholders without an argument stay {@code {}}.
 *
 * @param thrown the trailing throwable, or null
 */
public record LogLine(String message, Throwable thrown) {

  public static LogLine format(String pattern, Object... args) {
    Object[] a = args == null ? new Object[0] : args;
    String p = String.valueOf(pattern);
    int placeholders = 0;
    for (int i = p.indexOf("{}"); i >= 0; i = p.indexOf("{}", i + 2)) {
      placeholders++;
    }
    Throwable thrown = a.length > placeholders && a[a.length - 1] instanceof Throwable t ? t : null;
    StringBuilder out = new StringBuilder(p.length() + 16 * a.length);
    int from = 0;
    int next = 0;
    for (int i = p.indexOf("{}"); i >= 0 && next < a.length; i = p.indexOf("{}", from)) {
      out.append(p, from, i).append(text(a[next++]));
      from = i + 2;
    }
    out.append(p, from, p.length());
    return new LogLine(out.toString(), thrown);
  }

  private static String text(Object o) {
    return o instanceof Object[] array ? Arrays.deepToString(array) : String.valueOf(o);
  }

  /** The message, followed by the throwable's type and message when there is one. */
  public String withThrown() {
    return thrown == null ? message : message + ": " + thrown;
  }
}
