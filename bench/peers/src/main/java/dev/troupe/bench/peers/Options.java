package dev.troupe.bench.peers;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** {@code --key=value} arguments, also read from {@code -Dpeers.key=value}. */
final class Options {
  private final Map<String, String> values = new LinkedHashMap<>();

  Options(String[] args) {
    System.getProperties().forEach((k, v) -> {
      if (k.toString().startsWith("peers.")) {
        values.put(k.toString().substring("peers.".length()), v.toString());
      }
    });
    for (String a : args) {
      if (!a.startsWith("--") || !a.contains("=")) {
        throw new IllegalArgumentException("arguments are --key=value, got: " + a);
      }
      values.put(a.substring(2, a.indexOf('=')), a.substring(a.indexOf('=') + 1));
    }
  }

  /** The options of an earlier run, as {@link #values()} gave them. */
  Options(Map<String, String> values) {
    this.values.putAll(values);
  }

  Map<String, String> values() {
    return Map.copyOf(values);
  }

  String get(String key, String def) {
    return values.getOrDefault(key, def);
  }

  int integer(String key, int def) {
    String v = values.get(key);
    return v == null ? def : Integer.parseInt(v.replace("_", "").trim());
  }

  double decimal(String key, double def) {
    String v = values.get(key);
    return v == null ? def : Double.parseDouble(v.replace("_", "").trim());
  }

  List<String> list(String key, String def) {
    return List.of(get(key, def).split(","));
  }

  /** Fails on a key not in {@code known}: a typo must not silently run the defaults. */
  void check(Set<String> known) {
    for (String k : values.keySet()) {
      if (!known.contains(k)) {
        throw new IllegalArgumentException("unknown option --" + k + "; known: " + known);
      }
    }
  }
}
