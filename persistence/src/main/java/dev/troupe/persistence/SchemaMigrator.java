package dev.troupe.persistence;

import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.output.MigrateResult;

/**
 * Creates and migrates Troupe's schema (journal, snapshots, run history) with Flyway at start,
 * on H2 or PostgreSQL: nobody runs DDL by hand. Blocking: call it before the actor system uses the
 * journal, never on an actor's thread.
 */
public final class SchemaMigrator {
  private SchemaMigrator() {}

  public static MigrateResult migrate(DatabaseSettings db) {
    return migrate(db, "latest");
  }

  /** Migrates up to schema version {@code target} ("latest": all), to test later migrations. */
  static MigrateResult migrate(DatabaseSettings db, String target) {
    String location = db.kind() == DatabaseSettings.Kind.H2 ? "h2" : "postgresql";
    return Flyway.configure()
        .dataSource(db.url(), db.user(), db.password())
        .locations("classpath:db/troupe/" + location)
        .table("troupe_schema_history")
        // a schema that already holds other tables is baselined below V1, so V1 still runs
        .baselineOnMigrate(true)
        .baselineVersion("0")
        .target(target)
        .load()
        .migrate();
  }
}
