package dev.troupe.spring;

import com.typesafe.config.Config;
import java.time.Duration;

/**
 * The {@code troupe.spring.*} settings of the starter (defaults in the starter's reference.conf).
 *
 * @param systemName the actor system's name, the same on every node of a cluster
 * @param healthTimeout how long a health check waits for the node's readiness checks
 * @param stopTimeout how long closing the context waits for the node to stop
 */
public record SpringSettings(String systemName, Duration healthTimeout, Duration stopTimeout) {

  /** Reads {@code troupe.spring} of {@code root}. */
  public static SpringSettings fromConfig(Config root) {
    Config c = root.getConfig("troupe.spring");
    return new SpringSettings(c.getString("system-name"), c.getDuration("health-timeout"),
        c.getDuration("stop-timeout"));
  }
}
