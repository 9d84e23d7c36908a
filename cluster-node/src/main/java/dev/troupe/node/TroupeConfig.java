package dev.troupe.node;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.troupe.persistence.DatabaseSettings;

/**
 * The configuration of an actor system that runs Troupe: system properties over the application's
 * config, over Troupe's Pekko settings ({@code troupe-node.conf}: cluster provider, JDBC journal,
 * sharding with remember-entities, Split Brain Resolver, bootstrap discovery), over the reference
 * configs. The journal's Slick database is derived from {@code troupe.db}; the config discovery's
 * endpoints and the seed nodes from {@code troupe.cluster}.
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
    Config resolved = base.resolve();
    Config db = DatabaseSettings.fromConfig(resolved).pekkoConfig();
    Config cluster = ClusterSettings.fromConfig(resolved).pekkoConfig(resolved.getString(
        "pekko.management.cluster.bootstrap.contact-point-discovery.service-name"));
    return ConfigFactory.defaultOverrides().withFallback(application).withFallback(db)
        .withFallback(cluster).withFallback(node).withFallback(ConfigFactory.defaultReference())
        .resolve();
  }
}
