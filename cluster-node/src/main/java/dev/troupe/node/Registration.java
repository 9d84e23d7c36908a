package dev.troupe.node;

import dev.troupe.api.BlockingWorker;
import dev.troupe.api.Worker;
import dev.troupe.api.WorkerDefinition;

/** A worker registered on this node: its definition and exactly one of the two handler kinds. */
record Registration(WorkerDefinition definition, Worker async, BlockingWorker blocking) {
  String name() {
    return definition.name();
  }
}
