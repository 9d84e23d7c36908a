package dev.troupe.api;

/**
 * A set of workers discovered at start through {@link java.util.ServiceLoader}: list the class
 * in {@code META-INF/services/dev.troupe.api.WorkerModule} and a node installs it.
 */
public interface WorkerModule {
  void install(WorkerRegistrar registrar);
}
