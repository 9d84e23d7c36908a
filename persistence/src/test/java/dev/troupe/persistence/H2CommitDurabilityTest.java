package dev.troupe.persistence;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Commits on Troupe's H2 URL survive a killed process: a child JVM commits rows one by one and
 * prints each id once its commit returned; it is killed (SIGKILL) mid-stream, and every printed id
 * must be in the database afterwards. With H2's default write delay it lost the last few hundred
 * milliseconds of commits.
 */
class H2CommitDurabilityTest {
  @TempDir
  Path dir;

  @Test
  void theWriteDelayIsZeroUnlessTheUrlSetsOne() {
    assertThat(new DatabaseSettings("jdbc:h2:file:./data/troupe;DB_CLOSE_ON_EXIT=FALSE", "sa", "",
        1).url()).isEqualTo("jdbc:h2:file:./data/troupe;DB_CLOSE_ON_EXIT=FALSE;WRITE_DELAY=0");
    assertThat(new DatabaseSettings("jdbc:h2:file:./t;write_delay=200", "sa", "", 1).url())
        .isEqualTo("jdbc:h2:file:./t;write_delay=200");
    assertThat(new DatabaseSettings("jdbc:postgresql://db/troupe", "u", "", 1).url())
        .isEqualTo("jdbc:postgresql://db/troupe");
  }

  @Test
  void everyCommitAcknowledgedBeforeASigkillIsThereAfterIt() throws Exception {
    // given: a process committing rows on Troupe's H2 URL
    DatabaseSettings db = new DatabaseSettings("jdbc:h2:file:" + dir.resolve("troupe")
        + ";DB_CLOSE_ON_EXIT=FALSE", "sa", "", 1);
    Process writer = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java")
        .toString(), "-cp", System.getProperty("java.class.path"), Writer.class.getName(),
        db.url()).redirectErrorStream(true).start();
    AtomicLong acknowledged = new AtomicLong();
    Thread reader = new Thread(() -> {
      try (BufferedReader r = new BufferedReader(new InputStreamReader(writer.getInputStream(),
          StandardCharsets.UTF_8))) {
        for (String line = r.readLine(); line != null; line = r.readLine()) {
          if (line.matches("\\d+")) {
            acknowledged.set(Long.parseLong(line));
          }
        }
      } catch (java.io.IOException e) {
        // the process was killed
      }
    });
    reader.start();
    await().atMost(Duration.ofSeconds(60)).until(() -> acknowledged.get() >= 20_000);

    // when
    writer.destroyForcibly().waitFor();
    reader.join();

    // then
    try (Connection c = DriverManager.getConnection(db.url(), db.user(), db.password());
        Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT COUNT(*) FROM \"t\"")) {
      rs.next();
      assertThat(rs.getLong(1)).isGreaterThanOrEqualTo(acknowledged.get());
    }
  }

  /** The child process: commits rows 1, 2, 3, … and prints every 100th id once committed. */
  public static final class Writer {
    public static void main(String[] args) throws SQLException {
      try (Connection c = DriverManager.getConnection(args[0], "sa", "")) {
        c.createStatement().execute("CREATE TABLE \"t\" (\"id\" BIGINT PRIMARY KEY)");
        PreparedStatement insert = c.prepareStatement("INSERT INTO \"t\" VALUES (?)");
        for (long id = 1; ; id++) {
          insert.setLong(1, id);
          insert.executeUpdate();
          if (id % 100 == 0) {
            System.out.println(id);
            System.out.flush();
          }
        }
      }
    }
  }
}
