package dev.troupe.persistence;

import dev.troupe.api.UnknownRunException;
import dev.troupe.api.WorkerNames;
import java.security.SecureRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Run ids: a ULID (26 characters of Crockford base32: 48 bits of milliseconds, then 80 random
 * bits; ids sort by creation time) followed by the id of the entity that owns the run, so that any
 * node can route a lookup or a cancel to that entity without a database read. Form:
 * {@code 01JD3Q7R8V3K5M9W2X4Y6Z8A0B-send-email} or, for partition 3, {@code …-send-email.3}.
 */
public final class RunIds {
  private static final char[] ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ".toCharArray();
  private static final Pattern FORM =
      Pattern.compile("^([0-9A-HJKMNP-TV-Z]{26})-([a-z0-9][a-z0-9-]{0,62})(?:\\.([0-9]{1,4}))?$");
  private static final SecureRandom RANDOM = new SecureRandom();

  private RunIds() {}

  /** The entity id of partition {@code partition} of worker {@code name}: "name" or "name#k". */
  public static String entityId(String name, int partition) {
    return partition == 0 ? name : name + "#" + partition;
  }

  /** The worker name part of an entity id. */
  public static String workerOf(String entityId) {
    int hash = entityId.indexOf('#');
    return hash < 0 ? entityId : entityId.substring(0, hash);
  }

  /** The partition part of an entity id: 0 for "name", k for "name#k". */
  public static int partitionOf(String entityId) {
    int hash = entityId.indexOf('#');
    return hash < 0 ? 0 : Integer.parseInt(entityId.substring(hash + 1));
  }

  /** A new run id owned by {@code entityId}. */
  public static String newRunId(String entityId, long epochMillis) {
    char[] c = new char[26];
    long t = epochMillis;
    for (int i = 9; i >= 0; i--) {
      c[i] = ALPHABET[(int) (t & 31)];
      t >>>= 5;
    }
    byte[] r = new byte[10];
    RANDOM.nextBytes(r);
    long hi = ((r[0] & 0xFFL) << 32) | ((r[1] & 0xFFL) << 24) | ((r[2] & 0xFFL) << 16)
        | ((r[3] & 0xFFL) << 8) | (r[4] & 0xFFL);
    long lo = ((r[5] & 0xFFL) << 32) | ((r[6] & 0xFFL) << 24) | ((r[7] & 0xFFL) << 16)
        | ((r[8] & 0xFFL) << 8) | (r[9] & 0xFFL);
    for (int i = 17; i >= 10; i--) {
      c[i] = ALPHABET[(int) (hi & 31)];
      hi >>>= 5;
    }
    for (int i = 25; i >= 18; i--) {
      c[i] = ALPHABET[(int) (lo & 31)];
      lo >>>= 5;
    }
    return new String(c) + "-" + entityId.replace('#', '.');
  }

  /**
   * The entity id that owns {@code runId}.
   *
   * @throws UnknownRunException when the id is not of Troupe's form
   */
  public static String entityOf(String runId) {
    Matcher m = runId == null ? null : FORM.matcher(runId);
    if (m == null || !m.matches()) {
      throw new UnknownRunException("malformed run id '" + runId
          + "': expected a 26-character ULID, '-', then the worker name");
    }
    WorkerNames.validate(m.group(2));
    return m.group(3) == null ? m.group(2) : entityId(m.group(2), Integer.parseInt(m.group(3)));
  }
}
