package dev.troupe.node;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.h2.api.Trigger;

/** The journal-refusal contract on the embedded H2 journal, refused by an H2 trigger. */
class H2JournalRefusalTest extends JournalRefusalContract {

  /**
   * The trigger on H2's journal table: refuses a row marked {@link #REFUSE}, holds one marked
   * {@link #HOLD} while the test holds. One test at a time uses it (H2 calls it by class name).
   */
  public static final class MarkedRows implements Trigger {
    private static volatile CountDownLatch held = new CountDownLatch(0);
    private static final AtomicInteger holding = new AtomicInteger();

    @Override
    public void fire(Connection conn, Object[] oldRow, Object[] newRow) throws SQLException {
      String row = rowText(newRow);
      if (row.contains(REFUSE)) {
        throw new SQLException("refused by the test's trigger", "45000");
      }
      if (row.contains(HOLD)) {
        holding.incrementAndGet();
        try {
          awaitQuietly(held);
        } finally {
          holding.decrementAndGet();
        }
      }
    }
  }

  @Override
  String newDatabaseUrl() {
    return TestNodes.newH2Url();
  }

  @Override
  Connection connect(String url) throws SQLException {
    return DriverManager.getConnection(url, "sa", "");
  }

  @Override
  void install(Connection c) throws SQLException {
    c.createStatement().execute("CREATE TRIGGER \"marked_rows\" BEFORE INSERT ON \"event_journal\""
        + " FOR EACH ROW CALL '" + MarkedRows.class.getName() + "'");
  }

  @Override
  void hold(Connection c) {
    MarkedRows.held = new CountDownLatch(1);
  }

  @Override
  boolean holding(Connection c) {
    return MarkedRows.holding.get() > 0;
  }

  @Override
  void release(Connection c) {
    MarkedRows.held.countDown();
  }
}
