package dev.troupe.node;

/** Durable steps and compensations on the embedded H2 journal. */
class H2DurableStepsTest extends DurableStepsContract {
  @Override
  String newDatabaseUrl() {
    return TestNodes.newH2Url();
  }
}
