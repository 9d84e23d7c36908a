package dev.troupe.bench.core;

import java.nio.file.Path;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * A harness's options: {@code --key=value} arguments, and system properties {@code
 * -D<prefix>.key=value} (the scripts pass the command line they were started with as {@code
 * -D<prefix>.command=…}). Numbers may be written with underscores ({@code --n=100_000}).
 * {@code --help} lists the options and exits.
 */
public final class Options {
  private final Map<String, String> values = new LinkedHashMap<>();
  private boolean help;

  /**
   * Reads the system properties that start with {@code propertyPrefix + "."}, then {@code args}
   * (which win).
   *
   * @throws IllegalArgumentException for an argument that is not {@code --key=value}
   */
  public Options(String propertyPrefix, String[] args) {
    String prefix = propertyPrefix + ".";
    System.getProperties().forEach((k, v) -> {
      if (k.toString().startsWith(prefix)) {
        values.put(k.toString().substring(prefix.length()), v.toString());
      }
    });
    for (String a : args) {
      if ("--help".equals(a)) {
        help = true;
      } else if (!a.startsWith("--") || !a.contains("=")) {
        throw new IllegalArgumentException("arguments are --key=value, got: " + a);
      } else {
        values.put(a.substring(2, a.indexOf('=')), a.substring(a.indexOf('=') + 1));
      }
    }
  }

  /** The options of an earlier run, as {@link #values()} gave them. */
  public Options(Map<String, String> values) {
    this.values.putAll(values);
  }

  /** Every option given, by key. */
  public Map<String, String> values() {
    return Map.copyOf(values);
  }

  /** The option's value, or {@code def} (which may be null) when it was not given. */
  public String get(String key, String def) {
    return values.getOrDefault(key, def);
  }

  /** Whether the option was given. */
  public boolean has(String key) {
    return values.containsKey(key);
  }

  /** A whole number, or {@code def}. */
  public int integer(String key, int def) {
    String v = values.get(key);
    return v == null ? def : Integer.parseInt(number(v));
  }

  /** A number, or {@code def}. */
  public double decimal(String key, double def) {
    String v = values.get(key);
    return v == null ? def : Double.parseDouble(number(v));
  }

  /** A comma-separated list, or {@code def} split the same way. */
  public List<String> list(String key, String def) {
    return List.of(get(key, def).split(","));
  }

  /** A comma-separated list of numbers; empty when the option was not given. */
  public List<Double> decimals(String key) {
    return has(key) ? Stream.of(get(key, null).split(","))
        .map(x -> Double.parseDouble(number(x))).toList() : List.of();
  }

  /** A file, or {@code def}. */
  public Path path(String key, String def) {
    return Path.of(get(key, def));
  }

  /**
   * After {@code --help}, prints {@code known} and exits; otherwise fails on a key not in {@code
   * known}: a typo must not silently run the defaults.
   *
   * @param usage where the options are described, printed with {@code --help}
   */
  public void check(Collection<String> known, String usage) {
    if (help) {
      System.out.println("options (--key=value): " + String.join(", ", new TreeSet<>(known))
          + "; " + usage);
      System.exit(0);
    }
    for (String k : values.keySet()) {
      if (!known.contains(k)) {
        throw new IllegalArgumentException("unknown option --" + k + "; known: "
            + new TreeSet<>(known));
      }
    }
  }

  private static String number(String v) {
    return v.replace("_", "").trim();
  }
}
