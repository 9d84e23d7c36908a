package dev.troupe.bench.core;

import java.util.List;
import java.util.Locale;
import java.util.function.ToDoubleFunction;
import org.HdrHistogram.Histogram;

/** Summaries of repetitions and latency histograms (µs values), as the reports print them. */
public final class Stats {
  private Stats() {}

  /** The median of sorted values (the mean of the middle two for an even count); NaN if none. */
  public static double median(double[] sorted) {
    int n = sorted.length;
    return n == 0 ? Double.NaN : n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
  }

  /** The median of {@code f} over {@code xs}; NaN if empty. */
  public static <T> double median(List<T> xs, ToDoubleFunction<T> f) {
    return median(xs.stream().mapToDouble(f).sorted().toArray());
  }

  /** The least of {@code f} over {@code xs}; NaN if empty. */
  public static <T> double min(List<T> xs, ToDoubleFunction<T> f) {
    return xs.stream().mapToDouble(f).min().orElse(Double.NaN);
  }

  /** The greatest of {@code f} over {@code xs}; NaN if empty. */
  public static <T> double max(List<T> xs, ToDoubleFunction<T> f) {
    return xs.stream().mapToDouble(f).max().orElse(Double.NaN);
  }

  /** A percentile of a histogram of µs, in ms; NaN if it is empty. */
  public static double millis(Histogram h, double percentile) {
    return h.getTotalCount() == 0 ? Double.NaN : h.getValueAtPercentile(percentile) / 1000.0;
  }

  /** A percentile of a histogram of µs, in ms with two decimals; "–" if it is empty. */
  public static String ms(Histogram h, double percentile) {
    return h.getTotalCount() == 0 ? "–" : String.format(Locale.ROOT, "%.2f", millis(h, percentile));
  }

  /** The largest value of a histogram of µs, in ms with two decimals; "–" if it is empty. */
  public static String msMax(Histogram h) {
    return h.getTotalCount() == 0 ? "–" : String.format(Locale.ROOT, "%.2f", h.getMaxValue() / 1000.0);
  }

  /** A whole number with thousands separators, e.g. "12,345". */
  public static String whole(double v) {
    return String.format(Locale.ROOT, "%,.0f", v);
  }
}
