package dev.troupe.node.registry;

import dev.troupe.api.BlockingWorker;
import dev.troupe.api.Worker;
import dev.troupe.api.WorkerDefinition;

/** A worker registered on this node: its definition and exactly one of the two handler kinds. */
public record Registration(WorkerDefinition definition, Worker async, BlockingWorker blocking) {
  public String name() {
    return definition.name();
  }
}
