package dev.troupe.node;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.troupe.node.config.ClusterSettings;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The configuration of an actor system that runs Troupe: system properties over the application's
 * config, over Troupe's Pekko settings ({@code troupe-node.conf}: cluster provider, JDBC journal,
 * sharding with remember-entities, Split Brain Resolver, bootstrap discovery), over the reference
 * configs. The journal's database is made from {@code troupe.db} when the journal first needs it
 * ({@link dev.troupe.persistence.journal.JournalDatabase}); the config discovery's endpoints and
 * the seed nodes are derived from {@code troupe.cluster}; {@code troupe.node.roles} joins {@code
 * pekko.cluster.roles}.
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
    Config cluster = ClusterSettings.fromConfig(resolved).pekkoConfig(resolved.getString(
        "pekko.management.cluster.bootstrap.contact-point-discovery.service-name"));
    Config roles = ConfigFactory.parseMap(Map.of("pekko.cluster.roles", clusterRoles(resolved)));
    return roles.withFallback(ConfigFactory.defaultOverrides()).withFallback(application)
        .withFallback(cluster).withFallback(node)
        .withFallback(ConfigFactory.defaultReference()).resolve();
  }

  /** {@code pekko.cluster.roles} and the comma-separated {@code troupe.node.roles}, together. */
  private static List<String> clusterRoles(Config c) {
    Set<String> roles = new LinkedHashSet<>(c.getStringList("pekko.cluster.roles"));
    for (String r : c.getString("troupe.node.roles").split(",")) {
      if (!r.isBlank()) {
        roles.add(r.trim());
      }
    }
    return List.copyOf(roles);
  }
}
