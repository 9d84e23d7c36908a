package dev.troupe.node.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.Config;
import dev.troupe.api.InvalidArgumentException;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Iterator;

/**
 * What run data (payloads, results, emitted messages, checkpoints, step results) may hold so that
 * the journal can write it and read it back: objects and arrays nested at most {@code maxDepth}
 * levels ({@code troupe.call.max-json-depth}), and numbers, field names and strings no longer than
 * the journal's reader takes ({@code pekko.serialization.jackson.read.max-number-length}, {@code
 * max-name-length}, {@code max-string-length}). Checked before anything is recorded: a document
 * the serializer would refuse fails the write of the batch it is in, and one it writes but cannot
 * read back would keep its entity from recovering.
 */
public record JsonLimits(int maxDepth, int maxNumberLength, int maxNameLength,
    int maxStringLength) {

  public JsonLimits {
    if (maxDepth < 1 || maxDepth > 900) {
      throw new IllegalArgumentException("troupe.call.max-json-depth must be between 1 and 900"
          + " (the journal refuses documents nested past 1000 levels), was " + maxDepth);
    }
  }

  /** The limits of the node's config {@code root}. */
  static JsonLimits fromConfig(Config root) {
    Config read = root.getConfig("pekko.serialization.jackson.read");
    return new JsonLimits(root.getInt("troupe.call.max-json-depth"),
        read.getInt("max-number-length"), read.getInt("max-name-length"),
        read.getInt("max-string-length"));
  }

  /**
   * @throws InvalidArgumentException naming {@code what} and the limit when {@code node} nests
   *     objects and arrays deeper than {@link #maxDepth}, or holds a number, a field name or a
   *     string longer than the journal reads back
   */
  public void check(String what, JsonNode node) {
    if (node == null) {
      return;
    }
    Deque<JsonNode> level = new ArrayDeque<>();
    level.add(node);
    int depth = 0;
    while (!level.isEmpty()) {
      Deque<JsonNode> next = new ArrayDeque<>();
      boolean containers = false;
      for (JsonNode n : level) {
        if (n.isObject()) {
          names(what, n);
        }
        if (n.isContainerNode()) {
          containers = true;
          n.forEach(next::add);
        } else if (n.isBigInteger() || n.isBigDecimal()) {
          tooLong(what, "a number", n.asText().length(), maxNumberLength, "max-number-length");
        } else if (n.isTextual()) {
          tooLong(what, "a string", n.textValue().length(), maxStringLength, "max-string-length");
        }
      }
      if (containers && ++depth > maxDepth) {
        throw new InvalidArgumentException(what + " nests objects and arrays deeper than "
            + maxDepth + " levels (troupe.call.max-json-depth)");
      }
      level = next;
    }
  }

  private void names(String what, JsonNode object) {
    for (Iterator<String> it = object.fieldNames(); it.hasNext(); ) {
      String name = it.next();
      tooLong(what, "a field name", name.length(), maxNameLength, "max-name-length");
    }
  }

  private static void tooLong(String what, String kind, int length, int max, String setting) {
    if (length > max) {
      throw new InvalidArgumentException(what + " has " + kind + " of " + length
          + " characters, over the " + max + " the journal reads back"
          + " (pekko.serialization.jackson.read." + setting + ")");
    }
  }
}
