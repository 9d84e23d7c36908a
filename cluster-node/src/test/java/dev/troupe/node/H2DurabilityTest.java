package dev.troupe.node;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;

/** The durability contract on the embedded H2 journal. */
class H2DurabilityTest extends DurabilityContract {
  @Override
  String newDatabaseUrl() {
    return TestNodes.newH2Url();
  }

  /**
   * The crashed node shared this JVM's H2 engine with the next one: a write it had not committed
   * when it stopped could still hold its row lock (seen once under load: the next node's write
   * of the same sequence number timed out). A process that crashes takes its embedded database
   * with it, as {@code SHUTDOWN IMMEDIATELY} does: what was not committed is gone.
   */
  @Override
  void afterCrash(String dbUrl) throws Exception {
    try (Connection c = DriverManager.getConnection(dbUrl, "sa", "");
        Statement s = c.createStatement()) {
      s.execute("SHUTDOWN IMMEDIATELY");
    }
  }
}
