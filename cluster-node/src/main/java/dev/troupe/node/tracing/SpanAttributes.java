package dev.troupe.node.tracing;

import io.opentelemetry.api.common.AttributeKey;

/** The attributes Troupe sets on its spans, named once. */
final class SpanAttributes {
  static final AttributeKey<String> WORKER = AttributeKey.stringKey("troupe.worker");
  static final AttributeKey<String> RUN_ID = AttributeKey.stringKey("troupe.run.id");
  static final AttributeKey<Boolean> IDEMPOTENT_HIT =
      AttributeKey.booleanKey("troupe.call.idempotent_hit");
  static final AttributeKey<String> ENTITY_ID = AttributeKey.stringKey("troupe.entity.id");
  static final AttributeKey<Long> BATCH_COMMANDS = AttributeKey.longKey("troupe.batch.commands");
  static final AttributeKey<Long> ATTEMPT = AttributeKey.longKey("troupe.attempt");
  static final AttributeKey<String> OUTCOME = AttributeKey.stringKey("troupe.outcome");
  static final AttributeKey<String> ERROR_CODE = AttributeKey.stringKey("troupe.error.code");
  static final AttributeKey<String> STEP_NAME = AttributeKey.stringKey("troupe.step.name");
  static final AttributeKey<String> STEP_STATUS = AttributeKey.stringKey("troupe.step.status");

  private SpanAttributes() {}
}
