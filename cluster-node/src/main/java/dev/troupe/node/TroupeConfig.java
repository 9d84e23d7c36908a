package dev.troupe.node;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.troupe.persistence.DatabaseSettings;

/**
 * The configuration of an actor system that runs Troupe: system properties over the application's
 * config, over Troupe's Pekko settings ({@code troupe-node.conf}: cluster provider, JDBC journal,
 * sharding with remember-entities), over the reference configs. The journal's Slick database is
 * derived from {@code troupe.db}.
 */
public final class TroupeConfig {
  private TroupeConfig() {}

  /** application.conf (and -D overrides) with Troupe's defaults. */
  public static Config load() {
    ConfigFactory.invalidateCaches();
    return withDefaults(ConfigFactory.defaultApplication());
  }

  /**
   * {@code application} (unresolved, without the reference configs, e.g. from {@code
   * ConfigFactory.parseString} or {@code ConfigFactory.defaultApplication()}) with Troupe's defaults.
   */
  public static Config withDefaults(Config application) {
    Config node = ConfigFactory.parseResources("troupe-node.conf");
    Config base = ConfigFactory.defaultOverrides().withFallback(application).withFallback(node)
        .withFallback(ConfigFactory.defaultReference());
    Config db = DatabaseSettings.fromConfig(base.resolve()).pekkoConfig();
    return ConfigFactory.defaultOverrides().withFallback(application).withFallback(db)
        .withFallback(node).withFallback(ConfigFactory.defaultReference()).resolve();
  }
}
