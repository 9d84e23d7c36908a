package dev.troupe.client.cli;

import java.util.Locale;

/** A text progress bar such as {@code [#########-----------]  45% step 9/20}. */
final class ProgressBar {
  private static final int WIDTH = 30;

  private ProgressBar() {}

  /** The bar for {@code percent} (clamped to 0..100) with {@code message} after it. */
  static String render(double percent, String message) {
    double p = Math.max(0, Math.min(100, percent));
    int filled = (int) Math.round(p * WIDTH / 100);
    return "[" + "#".repeat(filled) + "-".repeat(WIDTH - filled) + "] "
        + String.format(Locale.ROOT, "%3.0f%%", p)
        + (message == null || message.isBlank() ? "" : " " + message);
  }
}
