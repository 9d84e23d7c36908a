package dev.troupe.bench.core;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Optional;

/**
 * The PostgreSQL server the harnesses measure on, from the environment: {@code
 * TROUPE_BENCH_PG_URL}, {@code _USER} and {@code _PASSWORD}, each falling back to {@code
 * TROUPE_TEST_PG_*}, then to user {@code postgres} and an empty password. {@code url} is null
 * when neither URL variable is set.
 */
public record Postgres(String url, String user, String password) {
  /** Why PostgreSQL was not measured when {@link #url} is null. */
  public static final String NOT_SET = "neither TROUPE_BENCH_PG_URL nor TROUPE_TEST_PG_URL is set"
      + " (e.g. TROUPE_BENCH_PG_URL=jdbc:postgresql://127.0.0.1:5432/test)";

  private static final String[] URL_VARIABLES = {"TROUPE_BENCH_PG_URL", "TROUPE_TEST_PG_URL"};

  /** The settings in the environment now. */
  public static Postgres fromEnvironment() {
    return new Postgres(firstEnv(URL_VARIABLES),
        Optional.ofNullable(firstEnv("TROUPE_BENCH_PG_USER", "TROUPE_TEST_PG_USER")).orElse("postgres"),
        Optional.ofNullable(firstEnv("TROUPE_BENCH_PG_PASSWORD", "TROUPE_TEST_PG_PASSWORD")).orElse(""));
  }

  /**
   * The URL variable as the report's command shows it, e.g. {@code
   * "TROUPE_BENCH_PG_URL=jdbc:postgresql://127.0.0.1:5432/test "} (a password in it hidden), or
   * "" when neither is set.
   */
  public static String commandPrefix() {
    for (String var : URL_VARIABLES) {
      if (firstEnv(var) != null) {
        return var + "=" + redact(System.getenv(var)) + " ";
      }
    }
    return "";
  }

  /** Runs one statement on {@link #url}, e.g. {@code CREATE SCHEMA …}. */
  public void execute(String sql) throws SQLException {
    try (Connection c = DriverManager.getConnection(url, user, password);
        Statement st = c.createStatement()) {
      st.execute(sql);
    }
  }

  /** {@code url} with {@code parameters} ({@code a=1&b=2}) added to its query. */
  public static String withParameters(String url, String parameters) {
    return url + (url.contains("?") ? "&" : "?") + parameters;
  }

  /** A JDBC URL with the value of any {@code password=} in it replaced by {@code ***}. */
  public static String redact(String url) {
    return url.replaceAll("(?i)password=[^;&]*", "password=***");
  }

  private static String firstEnv(String... names) {
    for (String n : names) {
      String v = System.getenv(n);
      if (v != null && !v.isBlank()) {
        return v;
      }
    }
    return null;
  }
}
