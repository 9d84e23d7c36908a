package dev.troupe.spring;

import dev.troupe.api.Troupe;
import dev.troupe.api.WorkerModule;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.SmartInitializingSingleton;

/**
 * Registers the application's workers: every {@link WorkerModule} bean (a {@link TroupeJob} is
 * one), in the context's bean order, once every singleton is made. Done then rather than when
 * the {@link Troupe} bean is made, so that a module bean may itself depend on {@code Troupe}
 * (to call other workers) without a dependency cycle; application and command-line runners run
 * later still, so they find every worker registered.
 */
final class TroupeWorkers implements SmartInitializingSingleton {
  private final Troupe troupe;
  private final ObjectProvider<WorkerModule> modules;

  TroupeWorkers(Troupe troupe, ObjectProvider<WorkerModule> modules) {
    this.troupe = troupe;
    this.modules = modules;
  }

  @Override
  public void afterSingletonsInstantiated() {
    modules.orderedStream().forEach(m -> m.install(troupe));
  }
}
