package dev.troupe.node;

/** Retention on a node with the embedded H2 journal. */
class H2RetentionTest extends RetentionContract {
  @Override
  String newDatabaseUrl() {
    return TestNodes.newH2Url();
  }
}
