package dev.troupe.examples.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;

/**
 * The journal of a {@link ProcessCluster}'s database, read row by row, as the process tests
 * audit it: what each run of a worker recorded, whichever node wrote it.
 */
final class JournalAudit {
  private static final ObjectMapper JSON = new ObjectMapper();

  private JournalAudit() {}

  /**
   * Per run of a worker, from its entities' journal: its {@code finished} events, its attempts
   * ({@code attempt-started} events less those {@code attempt-handed-over} by an entity that
   * moved: they start again as the same attempt), its idempotency key ("" for none) and its
   * parent run (absent for none).
   */
  record Journal(Map<String, Integer> finished, Map<String, Integer> attempts,
      Map<String, String> keys, Map<String, String> parents) {}

  /** Reads the events of every entity of {@code worker} from the journal table over {@code c}. */
  static Journal read(Connection c, String worker) throws Exception {
    Map<String, Integer> finished = new HashMap<>();
    Map<String, Integer> attempts = new HashMap<>();
    Map<String, String> keys = new HashMap<>();
    Map<String, String> parents = new HashMap<>();
    try (PreparedStatement s = c.prepareStatement("SELECT event_payload FROM event_journal"
        + " WHERE persistence_id = ? OR persistence_id LIKE ?")) {
      s.setString(1, "worker|" + worker);
      s.setString(2, "worker|" + worker + "#%");
      try (ResultSet rs = s.executeQuery()) {
        while (rs.next()) {
          JsonNode entry = JSON.readTree(payload(rs.getBytes(1)));
          List<JsonNode> events = new ArrayList<>();
          if (entry.path("type").asText().equals("recorded")) {
            entry.get("events").forEach(events::add);
          } else {
            events.add(entry);
          }
          for (JsonNode e : events) {
            String type = e.path("type").asText();
            String runId = e.path("runId").asText();
            if (type.equals("finished")) {
              finished.merge(runId, 1, Integer::sum);
            } else if (type.equals("attempt-started")) {
              attempts.merge(runId, 1, Integer::sum);
            } else if (type.equals("attempt-handed-over")) { // it starts again as itself
              attempts.merge(runId, -1, Integer::sum);
            } else if (type.equals("accepted")) {
              keys.put(runId, e.path("idempotencyKey").asText(""));
              if (e.path("spec").hasNonNull("parentRunId")) {
                parents.put(runId, e.path("spec").get("parentRunId").asText());
              }
            }
          }
        }
      }
    }
    return new Journal(finished, attempts, keys, parents);
  }

  /** Pekko's jackson-json payload: JSON, gzipped above 32 KiB. */
  private static byte[] payload(byte[] bytes) throws IOException {
    if (bytes.length > 2 && (bytes[0] & 0xff) == 0x1f && (bytes[1] & 0xff) == 0x8b) {
      try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(bytes))) {
        return in.readAllBytes();
      }
    }
    return bytes;
  }
}
