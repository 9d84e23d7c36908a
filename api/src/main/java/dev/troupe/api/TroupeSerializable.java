package dev.troupe.api;

/**
 * Marker for every message, event and snapshot that Troupe sends between actors or writes to
 * the journal. It is bound to Pekko's Jackson serializer in {@code troupe-persistence}'s
 * {@code reference.conf}; Java serialization is off, so a type without this marker cannot
 * leave its JVM or reach the journal.
 */
public interface TroupeSerializable {}
