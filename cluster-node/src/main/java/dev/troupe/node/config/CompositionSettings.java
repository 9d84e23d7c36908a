package dev.troupe.node.config;

import com.typesafe.config.Config;

/**
 * The settings of runs made of runs (defaults: cluster-node's reference.conf).
 *
 * @param maxChildDepth how many child calls deep a run may be: a handler of a run that deep
 *     cannot start a child ({@code troupe.call.max-child-depth}), which stops a run that calls its
 *     own ancestors from calling without end
 */
public record CompositionSettings(int maxChildDepth) {

  public CompositionSettings {
    if (maxChildDepth < 1) {
      throw new IllegalArgumentException("troupe.call.max-child-depth must be at least 1, was "
          + maxChildDepth);
    }
  }

  public static CompositionSettings fromConfig(Config root) {
    return new CompositionSettings(root.getInt("troupe.call.max-child-depth"));
  }
}
