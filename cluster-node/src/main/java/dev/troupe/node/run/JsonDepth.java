package dev.troupe.node.run;

import com.fasterxml.jackson.databind.JsonNode;
import dev.troupe.api.InvalidArgumentException;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * The nesting limit of run data ({@code troupe.call.max-json-depth}): payloads, results, emitted
 * messages and checkpoints. Checked before anything is recorded, so that no document reaches the
 * journal that its serializer would refuse, failing the whole batch it was written with.
 */
public final class JsonDepth {
  private JsonDepth() {}

  /**
   * @throws InvalidArgumentException naming {@code what} and the limit when {@code node} nests
   *     objects and arrays deeper than {@code max}
   */
  public static void check(String what, JsonNode node, int max) {
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
        if (n.isContainerNode()) {
          containers = true;
          n.forEach(next::add);
        }
      }
      if (!containers) {
        return;
      }
      if (++depth > max) {
        throw new InvalidArgumentException(what + " nests objects and arrays deeper than "
            + max + " levels (troupe.call.max-json-depth)");
      }
      level = next;
    }
  }
}
