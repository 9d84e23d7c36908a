package dev.troupe.api;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a payload record component (or a creator parameter) that the JSON must contain: when it
 * is absent, {@link WorkerContext#payloadAs} and typed jobs fail the run permanently with a
 * message naming it by its JSON path ({@code payload.items[2].sku: required, missing}). The same
 * as Jackson's {@code @JsonProperty(required = true)}, which is honoured too. An explicit {@code
 * null} counts as present.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.RECORD_COMPONENT, ElementType.PARAMETER, ElementType.FIELD,
    ElementType.METHOD})
public @interface Required {}
