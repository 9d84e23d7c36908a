package dev.troupe.persistence.sql;

import java.util.Locale;
import slick.jdbc.H2Profile$;
import slick.jdbc.JdbcProfile;

/**
 * H2, embedded. A URL without a {@code WRITE_DELAY} gets {@code ;WRITE_DELAY=0}: every commit is
 * handed to the operating system before it returns, so a run accepted before the process is
 * killed (SIGKILL, the OOM killer) is still in the journal afterwards. H2's own default writes
 * commits up to 500 ms later, and a killed process loses them. A URL that sets {@code
 * WRITE_DELAY} keeps its value.
 */
final class H2Dialect implements SqlDialect {
  static final String URL_PREFIX = "jdbc:h2:";
  static final H2Dialect INSTANCE = new H2Dialect();

  private static final String WRITE_DELAY = ";WRITE_DELAY=";

  private H2Dialect() {}

  @Override
  public String effectiveUrl(String url) {
    return url.toUpperCase(Locale.ROOT).contains(WRITE_DELAY) ? url : url + WRITE_DELAY + "0";
  }

  @Override
  public String driverClassName() {
    return "org.h2.Driver";
  }

  @Override
  public JdbcProfile slickProfile() {
    return H2Profile$.MODULE$;
  }

  @Override
  public String migrationsLocation() {
    return "classpath:db/troupe/h2";
  }

  @Override
  public String connectionInitSql() {
    return null;
  }

  @Override
  public String migrationLockSql() {
    return null;
  }

  @Override
  public String migrationUnlockSql() {
    return null;
  }

  @Override
  public String toString() {
    return "H2";
  }
}
