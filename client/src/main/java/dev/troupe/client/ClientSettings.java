package dev.troupe.client;

import java.net.URI;
import java.time.Duration;
import java.util.List;

/**
 * What {@link TroupeClient.Builder} configured (see its setters for each field's meaning and
 * default).
 */
record ClientSettings(
    List<URI> baseUrls,
    String token,
    Duration connectTimeout,
    Duration requestTimeout,
    int maxAttempts,
    Duration initialBackoff,
    Duration maxBackoff,
    Duration idleTimeout,
    Duration reconnectTimeout,
    Duration defaultWait) {}
