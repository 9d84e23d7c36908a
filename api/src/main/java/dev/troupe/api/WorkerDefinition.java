package dev.troupe.api;

/** A registered worker: its name and configuration. */
public record WorkerDefinition(String name, WorkerConfig config) {}
