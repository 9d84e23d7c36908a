package dev.troupe.persistence;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;

/**
 * The size of run data as the journal and the HTTP API write it: compact JSON in UTF-8. Counted
 * by writing the document to a stream that only counts, so nothing of its size is allocated.
 */
public final class JsonBytes {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private JsonBytes() {}

  /** The bytes of {@code node} written as compact JSON; 0 for none (Java null). */
  public static long of(JsonNode node) {
    try {
      return of(MAPPER, node);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * The bytes of {@code node} as {@code mapper} writes it; 0 for none (Java null).
   *
   * @throws JsonProcessingException when {@code mapper} cannot write it (a POJO node it has no
   *     serializer for)
   */
  public static long of(ObjectMapper mapper, JsonNode node) throws JsonProcessingException {
    if (node == null) {
      return 0;
    }
    Counter counter = new Counter();
    try {
      mapper.writeValue(counter, node);
    } catch (JsonProcessingException e) {
      throw e;
    } catch (IOException e) {
      throw new UncheckedIOException(e); // a counting stream does not fail
    }
    return counter.count;
  }

  private static final class Counter extends OutputStream {
    private long count;

    @Override
    public void write(int b) {
      count++;
    }

    @Override
    public void write(byte[] b, int off, int len) {
      count += len;
    }
  }
}
