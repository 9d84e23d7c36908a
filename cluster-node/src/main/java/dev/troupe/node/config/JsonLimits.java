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
 * levels ({@code troupe.call.max-json-depth}), numbers of at most {@code maxNumberLength}
 * characters and field names of at most {@code maxNameLength}, the limits the journal's reader
 * applies ({@code pekko.serialization.jackson.read.max-number-length} and {@code
 * max-name-length}). Checked before anything is recorded: a document the serializer would refuse
 * fails the write of the batch it is in, and one it writes but cannot read back would keep its
 * entity from recovering. Strings need no check of their own: every size limit on run data is far
 * below the reader's string length.
 */
public record JsonLimits(int maxDepth, int maxNumberLength, int maxNameLength) {

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
        read.getInt("max-number-length"), read.getInt("max-name-length"));
  }

  /**
   * @throws InvalidArgumentException naming {@code what} and the limit when {@code node} nests
   *     objects and arrays deeper than {@link #maxDepth}, or holds a number or a field name longer
   *     than the journal reads back
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
          number(what, n);
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
      if (name.length() > maxNameLength) {
        throw new InvalidArgumentException(what + " has a field name of " + name.length()
            + " characters, over the " + maxNameLength + " the journal reads back"
            + " (pekko.serialization.jackson.read.max-name-length)");
      }
    }
  }

  private void number(String what, JsonNode n) {
    int length = n.asText().length();
    if (length > maxNumberLength) {
      throw new InvalidArgumentException(what + " has a number of " + length
          + " characters, over the " + maxNumberLength + " the journal reads back"
          + " (pekko.serialization.jackson.read.max-number-length)");
    }
  }
}
