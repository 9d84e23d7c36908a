package dev.troupe.k8s;

import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigRenderOptions;
import dev.troupe.node.Main;

/**
 * Prints the configuration a node started in this process's environment runs with, as {@link
 * Main} builds it, as JSON. ManifestsTest runs it with a Deployment's environment: the node's
 * reference.conf is resolved against the real process environment, so that is the only faithful
 * way to apply one.
 */
final class NodeConfigDump {
  private NodeConfigDump() {}

  public static void main(String[] args) {
    System.out.println(Main.config(ConfigFactory.defaultApplication()).root()
        .render(ConfigRenderOptions.concise()));
  }
}
