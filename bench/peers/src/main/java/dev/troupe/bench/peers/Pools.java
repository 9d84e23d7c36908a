package dev.troupe.bench.peers;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;

/** HikariCP pools for the peers and the ledger. */
final class Pools {
  private Pools() {}

  static HikariDataSource pool(Storage db, int size, String name) {
    HikariConfig c = new HikariConfig();
    c.setJdbcUrl(db.url());
    c.setUsername(db.user());
    c.setPassword(db.password());
    c.setMaximumPoolSize(size);
    c.setMinimumIdle(size);
    c.setPoolName(name);
    return new HikariDataSource(c);
  }
}
