package dev.troupe.examples.inference;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * A stand-in for a real model: a word lexicon read from the classpath. Loading it is the
 * expensive part (a real model would read gigabytes); predicting is cheap, read-only and
 * thread-safe, so one instance serves every run on a node.
 */
final class SentimentModel {
  record Prediction(String label, double score) {}

  private final Map<String, Double> weights;

  private SentimentModel(Map<String, Double> weights) {
    this.weights = weights;
  }

  /** Reads the lexicon resource; fails when it is missing or malformed. */
  static SentimentModel load() {
    try (var in = SentimentModel.class.getResourceAsStream("sentiment-lexicon.txt")) {
      if (in == null) {
        throw new IllegalStateException("sentiment-lexicon.txt is not on the classpath");
      }
      return new SentimentModel(new BufferedReader(new InputStreamReader(in,
          StandardCharsets.UTF_8)).lines().filter(l -> !l.isBlank() && !l.startsWith("#"))
          .map(l -> l.split("\t")).collect(Collectors.toUnmodifiableMap(
              p -> p[0], p -> Double.parseDouble(p[1]))));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * POSITIVE when the words' weights sum above zero, NEGATIVE below, NEUTRAL at zero; the score
   * is in [0.5, 1), growing with the sum's size.
   */
  Prediction predict(String text) {
    double sum = Arrays.stream(text.toLowerCase(Locale.ROOT).split("[^\\p{L}]+"))
        .mapToDouble(w -> weights.getOrDefault(w, 0.0)).sum();
    String label = sum > 0 ? "POSITIVE" : sum < 0 ? "NEGATIVE" : "NEUTRAL";
    return new Prediction(label, 1 - 0.5 / (1 + Math.abs(sum)));
  }
}
