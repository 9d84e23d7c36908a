package dev.troupe.persistence;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The schema on PostgreSQL, in a fresh schema {@code troupe_test_<random>} per test, dropped
 * afterwards. Runs only when {@code TROUPE_TEST_PG_URL} is set, e.g.
 * {@code TROUPE_TEST_PG_URL=jdbc:postgresql://127.0.0.1:5432/test} (user {@code
 * TROUPE_TEST_PG_USER}, default postgres; password {@code TROUPE_TEST_PG_PASSWORD}, default
 * empty).
 */
@ExtendWith(PostgresSchemaMigratorTest.PrintSkipReason.class)
@EnabledIfEnvironmentVariable(named = "TROUPE_TEST_PG_URL", matches = ".+",
    disabledReason = PostgresSchemaMigratorTest.SKIPPED)
class PostgresSchemaMigratorTest extends SchemaMigratorContract {
  static final String SKIPPED = "PostgreSQL schema tests skipped: TROUPE_TEST_PG_URL is not set"
      + " (e.g. TROUPE_TEST_PG_URL=jdbc:postgresql://127.0.0.1:5432/test; user"
      + " TROUPE_TEST_PG_USER, default postgres; password TROUPE_TEST_PG_PASSWORD, default empty)";

  private static String url;
  private static String user;
  private static String password;

  private String schema;
  private DatabaseSettings db;

  /**
   * Prints why the class is skipped. Registered before the environment condition, it is
   * evaluated first, so the reason is printed even though nothing of the class runs.
   */
  static final class PrintSkipReason implements ExecutionCondition {
    @Override
    public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
      String v = System.getenv("TROUPE_TEST_PG_URL");
      if ((v == null || v.isEmpty()) && context.getTestMethod().isEmpty()) {
        System.out.println("[SKIPPED] " + SKIPPED);
      }
      return ConditionEvaluationResult.enabled("reports only");
    }
  }

  @BeforeAll
  static void connection() {
    url = System.getenv("TROUPE_TEST_PG_URL");
    user = Objects.requireNonNullElse(System.getenv("TROUPE_TEST_PG_USER"), "postgres");
    password = Objects.requireNonNullElse(System.getenv("TROUPE_TEST_PG_PASSWORD"), "");
  }

  private static Connection admin() throws SQLException {
    return DriverManager.getConnection(url, user, password);
  }

  @BeforeEach
  void freshSchema() throws SQLException {
    schema = "troupe_test_" + UUID.randomUUID().toString().replace("-", "")
        .substring(0, 12).toLowerCase(Locale.ROOT);
    try (Connection c = admin(); Statement st = c.createStatement()) {
      st.execute("CREATE SCHEMA " + schema);
    }
    db = new DatabaseSettings(url + (url.contains("?") ? "&" : "?") + "currentSchema=" + schema,
        user, password, 2);
  }

  @AfterEach
  void dropSchema() throws SQLException {
    try (Connection c = admin(); Statement st = c.createStatement()) {
      st.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
    }
  }

  @Override
  protected DatabaseSettings database() {
    return db;
  }

  @Override
  protected int schemaVersion() {
    return 8;
  }

  @Test
  void nodesStartingTogetherOnANewDatabaseMigrateItOneAfterTheOther() throws Exception {
    // given four nodes starting at once on the new schema
    ExecutorService nodes = Executors.newFixedThreadPool(4);
    CountDownLatch go = new CountDownLatch(1);
    List<Future<Integer>> applied = new ArrayList<>();
    try {
      for (int i = 0; i < 4; i++) {
        applied.add(nodes.submit(() -> {
          go.await();
          return SchemaMigrator.migrate(db).migrationsExecuted;
        }));
      }
      // when they migrate it together
      go.countDown();
      int total = 0;
      for (Future<Integer> f : applied) {
        total += f.get(60, TimeUnit.SECONDS);
      }
      // then every one succeeds, and each migration ran once
      assertThat(total).isEqualTo(schemaVersion());
    } finally {
      nodes.shutdownNow();
    }
  }
}
