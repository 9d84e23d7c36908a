package dev.troupe.node;

/**
 * Runs a Troupe node: a single-member cluster on the embedded H2 journal under ./data by
 * default, with every WorkerModule on the classpath. Ctrl-C (SIGTERM) drains and stops it.
 */
public final class Main {
  private Main() {}

  public static void main(String[] args) {
    TroupeNode node = TroupeNode.start();
    node.system().getWhenTerminated().toCompletableFuture().join();
  }
}
