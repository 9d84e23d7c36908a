package dev.troupe.node.entity;

import static org.assertj.core.api.Assertions.assertThat;

import dev.troupe.api.RunResult;
import dev.troupe.node.entity.WorkerEntity.Accepted;
import dev.troupe.node.entity.WorkerEntity.CallReply;
import dev.troupe.node.entity.WorkerEntity.Refused;
import dev.troupe.node.entity.WorkerEntity.RunFound;
import dev.troupe.node.entity.WorkerEntity.RunReply;

/** The answers inside an entity's sealed replies, asserting which kind each reply is. */
final class Replies {
  private Replies() {}

  static Accepted value(CallReply reply) {
    assertThat(reply).as("the call's reply").isInstanceOf(Accepted.class);
    return (Accepted) reply;
  }

  static RunResult value(RunReply reply) {
    assertThat(reply).as("the run's reply").isInstanceOf(RunFound.class);
    return ((RunFound) reply).run();
  }

  static Refused refused(Object reply) {
    assertThat(reply).as("the reply").isInstanceOf(Refused.class);
    return (Refused) reply;
  }
}
