package dev.troupe.node;

/** The run lifecycle contract on the embedded H2 journal. */
class H2RunLifecycleTest extends RunLifecycleContract {
  @Override
  String newDatabaseUrl() {
    return TestNodes.newH2Url();
  }
}
