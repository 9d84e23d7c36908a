package dev.troupe.bench.peers;

import dev.troupe.bench.core.Options;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/** A database a system stores its jobs in: {@code kind} is "pg", "h2" or "none" (in memory). */
record Storage(String kind, String url, String user, String password) {

  boolean postgres() {
    return "pg".equals(kind);
  }

  boolean none() {
    return "none".equals(kind);
  }

  String label() {
    return label(kind);
  }

  static String label(String kind) {
    return switch (kind) {
      case "pg" -> "PostgreSQL";
      case "h2" -> "H2";
      default -> "no persistence";
    };
  }

  Connection connect() throws SQLException {
    return DriverManager.getConnection(url, user, password);
  }

  /** Product and version, e.g. "PostgreSQL 15.20 (…)". */
  String version() {
    if (none()) {
      return "memory only";
    }
    try (Connection c = connect()) {
      var md = c.getMetaData();
      return md.getDatabaseProductName() + " " + md.getDatabaseProductVersion();
    } catch (SQLException e) {
      return "unknown (" + e.getMessage() + ")";
    }
  }

  /**
   * The durability settings in force, read from the database: what a commit waits for.
   */
  String durability() {
    if (none()) {
      return "nothing is stored";
    }
    List<String> out = new ArrayList<>();
    try (Connection c = connect(); Statement st = c.createStatement()) {
      if (postgres()) {
        for (String s : List.of("synchronous_commit", "fsync", "wal_sync_method")) {
          try (ResultSet rs = st.executeQuery("SHOW " + s)) {
            rs.next();
            out.add(s + "=" + rs.getString(1));
          }
        }
      } else {
        try (ResultSet rs = st.executeQuery("SELECT SETTING_NAME, SETTING_VALUE FROM"
            + " INFORMATION_SCHEMA.SETTINGS WHERE SETTING_NAME IN ('WRITE_DELAY',"
            + " 'RETENTION_TIME')")) {
          while (rs.next()) {
            String setting = rs.getString(1) + "=" + rs.getString(2);
            if (!out.contains(setting)) { // a setting made in the URL is listed twice
              out.add(setting);
            }
          }
        }
        out.add("URL defaults otherwise");
      }
    } catch (SQLException e) {
      out.add("unknown (" + e.getMessage() + ")");
    }
    return String.join(", ", out);
  }

  /** As command-line arguments for a child JVM. */
  List<String> args(String prefix) {
    return List.of("--" + prefix + "-kind=" + kind, "--" + prefix + "-url=" + url,
        "--" + prefix + "-user=" + user, "--" + prefix + "-password=" + password);
  }

  static Storage fromArgs(Options o, String prefix) {
    return new Storage(o.get(prefix + "-kind", null), o.get(prefix + "-url", null),
        o.get(prefix + "-user", ""), o.get(prefix + "-password", ""));
  }
}
