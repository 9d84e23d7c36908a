package dev.troupe.persistence;

import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/** The schema on an embedded H2 file database in a fresh temporary directory. */
class H2SchemaMigratorTest extends SchemaMigratorContract {
  @TempDir
  Path dir;

  private DatabaseSettings db;

  @BeforeEach
  void freshDatabase() {
    db = new DatabaseSettings("jdbc:h2:file:" + dir.toAbsolutePath().resolve("troupe")
        + ";DB_CLOSE_ON_EXIT=FALSE", "sa", "", 2);
  }

  @Override
  protected DatabaseSettings database() {
    return db;
  }
}
