package dev.troupe.node;

/** The durability contract on the embedded H2 journal. */
class H2DurabilityTest extends DurabilityContract {
  @Override
  String newDatabaseUrl() {
    return TestNodes.newH2Url();
  }
}
