package dev.troupe.persistence;

import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/** Retention on an embedded H2 file database in a fresh temporary directory. */
class H2RetentionTest extends RetentionContract {
  @TempDir
  Path dir;

  @Override
  protected DatabaseSettings newDatabase() {
    return new DatabaseSettings("jdbc:h2:file:" + dir.toAbsolutePath().resolve("troupe")
        + ";DB_CLOSE_ON_EXIT=FALSE", "sa", "", 2);
  }
}
