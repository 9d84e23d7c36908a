package dev.troupe.node.registry;

import dev.troupe.api.DuplicateWorkerException;
import dev.troupe.api.UnknownWorkerException;
import dev.troupe.api.WorkerDefinition;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The workers registered on this node, by name: the one owner of that table. Thread-safe; a
 * worker is never unregistered.
 */
public final class WorkerRegistry {
  private final Map<String, Registration> registrations = new ConcurrentHashMap<>();

  /** @throws DuplicateWorkerException when a worker of that name is registered already */
  public void add(Registration registration) {
    if (registrations.putIfAbsent(registration.name(), registration) != null) {
      throw new DuplicateWorkerException("worker '" + registration.name()
          + "' is already registered");
    }
  }

  /** The registration of {@code worker} on this node, if it is registered here. */
  public Optional<Registration> find(String worker) {
    return Optional.ofNullable(registrations.get(worker));
  }

  /** @throws UnknownWorkerException naming the registered workers when it is not registered */
  public Registration require(String worker) {
    Registration r = registrations.get(worker);
    if (r == null) {
      throw new UnknownWorkerException("worker '" + worker + "' is not registered on this node;"
          + " registered: " + names());
    }
    return r;
  }

  /** The registered workers' names, sorted. */
  public List<String> names() {
    return registrations.keySet().stream().sorted().toList();
  }

  /** The registered workers' definitions, sorted by name. */
  public List<WorkerDefinition> definitions() {
    return registrations.values().stream().map(Registration::definition)
        .sorted(Comparator.comparing(WorkerDefinition::name)).toList();
  }
}
