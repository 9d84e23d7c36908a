package dev.troupe.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.troupe.api.RetryPolicy;
import dev.troupe.api.RunQuery;
import dev.troupe.api.WorkerConfig;
import dev.troupe.bench.core.Machine;
import dev.troupe.bench.core.Options;
import dev.troupe.bench.core.Postgres;
import dev.troupe.bench.core.TempH2;
import dev.troupe.node.TroupeNode;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorSystem;

/**
 * What the node, HTTP and stream harnesses share: the fresh journal databases they measure on, the
 * definition of their workers, and the node's shutdown with the errors it logged.
 */
final class NodeHarness {
  static final ObjectMapper JSON = new ObjectMapper();
  /** Every benchmark worker: up to 1,000 runs at once, a queue for a whole workload, no retry. */
  static final WorkerConfig WORKER = WorkerConfig.DEFAULT.withMaxConcurrent(1000)
      .withQueueCapacity(1_000_000).withRetry(RetryPolicy.NONE);

  private NodeHarness() {}

  /** A fresh journal: {@code shown} is the URL as the report shows it. */
  record Journal(String name, String url, String shown, String user, String password) {}

  /** What a harness measures on one journal. */
  interface OnJournal<T> {
    T run(Journal journal) throws Exception;
  }

  /** The machine table: the facts every harness reports, and Pekko's version. */
  static Map<String, String> machine() {
    Map<String, String> m = Machine.facts();
    m.put("Pekko", org.apache.pekko.Version.current());
    return m;
  }

  /** The payload of every call: {@code {}}. */
  static JsonNode payload() {
    return JSON.createObjectNode();
  }

  /** The databases of {@code --db} ({@code h2,pg} by default). */
  static List<String> databases(Options o) {
    return o.list("db", "h2,pg").stream().map(d -> d.toLowerCase(Locale.ROOT)).toList();
  }

  /** Runs {@code body} on an H2 file in a temporary folder, deleted afterwards. */
  static <T> T onH2(String folderPrefix, OnJournal<T> body) throws Exception {
    try (TempH2 h2 = TempH2.create(folderPrefix, "troupe", ";DB_CLOSE_ON_EXIT=FALSE")) {
      return body.run(new Journal("H2 (embedded file database)", h2.url(), h2.shownUrl(), "sa", ""));
    }
  }

  /**
   * Runs {@code body} in a fresh schema {@code <schemaPrefix><random>} of the PostgreSQL of the
   * environment ({@link Postgres}), dropped afterwards; or, when there is none or it cannot be
   * used, returns {@code skipped} of why.
   */
  static <T> T onPostgres(String schemaPrefix, OnJournal<T> body, Function<String, T> skipped)
      throws Exception {
    Postgres pg = Postgres.fromEnvironment();
    if (pg.url() == null) {
      return skip(skipped, Postgres.NOT_SET);
    }
    String schema = schemaPrefix + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    try {
      pg.execute("CREATE SCHEMA " + schema);
    } catch (SQLException e) {
      return skip(skipped, "PostgreSQL at " + pg.url() + " is not usable: " + e.getMessage());
    }
    String url = Postgres.withParameters(pg.url(),
        "currentSchema=" + schema + "&reWriteBatchedInserts=true");
    try {
      return body.run(new Journal("PostgreSQL", url, Postgres.redact(url), pg.user(), pg.password()));
    } finally {
      try {
        pg.execute("DROP SCHEMA " + schema + " CASCADE");
      } catch (SQLException e) {
        System.out.println("could not drop schema " + schema + ": " + e.getMessage());
      }
    }
  }

  private static <T> T skip(Function<String, T> skipped, String why) {
    System.out.println();
    System.out.println("PostgreSQL skipped: " + why);
    return skipped.apply(why);
  }

  /** Product and version of the journal's database and its driver. */
  static String databaseVersion(Journal j) {
    try (Connection c = DriverManager.getConnection(j.url(), j.user(), j.password())) {
      var md = c.getMetaData();
      return md.getDatabaseProductName() + " " + md.getDatabaseProductVersion() + ", driver "
          + md.getDriverVersion();
    } catch (SQLException e) {
      return "version unknown (" + e.getMessage() + ")";
    }
  }

  /**
   * Adds the ERROR events the node logged to {@code problems}, then shuts the node ({@code
   * troupe} may be null when it did not start) and its actor system down.
   */
  static void stop(TroupeNode troupe, ActorSystem<Void> system, List<String> problems, String name) {
    List<String> errors = ErrorLog.drain();
    if (!errors.isEmpty()) {
      problems.add(name + ": the node logged errors during the benchmark (before shutdown): "
          + String.join("; ", errors) + ".");
    }
    try {
      if (troupe != null) {
        troupe.shutdown().toCompletableFuture().get(60, TimeUnit.SECONDS);
      }
      system.terminate();
      system.getWhenTerminated().toCompletableFuture().get(60, TimeUnit.SECONDS);
    } catch (Exception e) {
      problems.add(name + ": the node did not shut down cleanly: " + e);
      System.out.println("  shutdown: " + e);
    }
    ErrorLog.drain(); // shutdown noise of a node that already failed is not news
  }

  /** The exception under completion wrappers, as "class: message". */
  static String describe(Throwable t) {
    while (t.getCause() != null && (t instanceof java.util.concurrent.CompletionException
        || t instanceof java.util.concurrent.ExecutionException)) {
      t = t.getCause();
    }
    return t.getClass().getName() + ": " + t.getMessage();
  }

  /** The newest runs the run history is asked for, to see whether it has caught up. */
  private static final int HISTORY_PAGE = RunQuery.MAX_LIMIT;

  /**
   * Waits (up to 3 minutes) until the run history projection has caught up with the runs of the
   * earlier workloads, so that its catching up does not share the cores with the measurement:
   * the history's newest {@value #HISTORY_PAGE} runs have all finished there. (Lists by an active
   * status read the entities, not the history, so they cannot tell.)
   */
  static void awaitHistoryCaughtUp(TroupeNode troupe) throws InterruptedException {
    long start = System.nanoTime();
    long deadline = start + TimeUnit.MINUTES.toNanos(3);
    while (System.nanoTime() < deadline) {
      try {
        boolean pending = troupe.runs(new RunQuery(null, null, HISTORY_PAGE, null))
            .toCompletableFuture().get(10, TimeUnit.SECONDS).runs().stream()
            .anyMatch(r -> !r.status().isTerminal());
        if (!pending) {
          System.out.printf("    run history caught up after %.1f s%n", (System.nanoTime() - start) / 1e9);
          return;
        }
      } catch (Exception e) {
        // history unavailable (off, or busy): measure anyway
        return;
      }
      Thread.sleep(200);
    }
    System.out.println("    run history still behind after 3 minutes; measuring anyway");
  }
}
