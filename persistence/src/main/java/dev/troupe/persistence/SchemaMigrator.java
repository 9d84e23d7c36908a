package dev.troupe.persistence;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;
import org.flywaydb.core.api.output.MigrateResult;

/**
 * Creates and migrates Troupe's schema (journal, snapshots, run history) with Flyway at start,
 * on H2 or PostgreSQL (each database's migrations are where its {@link
 * dev.troupe.persistence.sql.SqlDialect} says): nobody runs DDL by hand. Blocking: call it
 * before the actor system uses the journal, never on an actor's thread.
 */
public final class SchemaMigrator {
  private SchemaMigrator() {}

  /** Migrates {@code db} to the latest schema version; a database already there is unchanged. */
  public static MigrateResult migrate(DatabaseSettings db) {
    return migrate(db, "latest");
  }

  /** Migrates up to schema version {@code target} ("latest": all), to test later migrations. */
  static MigrateResult migrate(DatabaseSettings db, String target) {
    String lock = db.dialect().migrationLockSql();
    if (lock == null) {
      return flyway(db, target);
    }
    // Flyway locks its history table only once it exists: two nodes on a new database would both
    // create it, and one fail ("exists, and is empty"). A lock of the whole database comes first.
    try (Connection c = DriverManager.getConnection(db.url(), db.user(), db.password());
         Statement s = c.createStatement()) {
      s.execute(lock);
      try {
        return flyway(db, target);
      } finally {
        s.execute(db.dialect().migrationUnlockSql());
      }
    } catch (SQLException e) {
      throw new FlywayException("could not lock the database for the schema migration: "
          + e.getMessage(), e);
    }
  }

  private static MigrateResult flyway(DatabaseSettings db, String target) {
    return Flyway.configure()
        .dataSource(db.url(), db.user(), db.password())
        .locations(db.dialect().migrationsLocation())
        .table("troupe_schema_history")
        // a schema that already holds other tables is baselined below V1, so V1 still runs
        .baselineOnMigrate(true)
        .baselineVersion("0")
        .target(target)
        .load()
        .migrate();
  }
}
