package dev.troupe.api;

import com.fasterxml.jackson.core.Version;
import com.fasterxml.jackson.databind.AnnotationIntrospector;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.introspect.AnnotatedMember;
import com.fasterxml.jackson.databind.introspect.NopAnnotationIntrospector;
import java.io.IOException;
import java.time.temporal.TemporalAccessor;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.WeakHashMap;

/**
 * Binds JSON (a payload, a checkpoint) to a type with Jackson, as typed jobs and {@link
 * WorkerContext#payloadAs} do: unknown fields are ignored, a field marked {@link Required} (or
 * {@code @JsonProperty(required = true)}) must be present, and a value that does not fit fails
 * with a {@link PermanentFailure} whose message names the field by its JSON path and says what
 * was expected and what came: {@code payload.items[2].qty: expected a number, got "two"}.
 *
 * <p>When a Bean Validation implementation is on the class path ({@code jakarta.validation}:
 * hibernate-validator with an Expression Language implementation, say), the bound value's
 * constraints are checked too ({@code @NotBlank}, {@code @Positive}, {@code @Valid} to descend
 * into nested records and lists), and a violation fails the same way, naming each field by its
 * JSON path: {@code payload.items[1].qty: must be greater than 0}. Without one, constraint
 * annotations are ignored.
 *
 * <p>One binder per mapper ({@link #of}): it holds a configured copy of that mapper, so the
 * caller's mapper is never changed and its deserializers are built once.
 */
public final class PayloadBinder {
  private static final Map<ObjectMapper, PayloadBinder> BY_MAPPER =
      Collections.synchronizedMap(new WeakHashMap<>());
  private static final int MAX_SHOWN_CHARS = 40;
  private static final String MISSING_CREATOR_PROPERTY = "Missing required creator property '";

  /** Whether the Bean Validation API is on the class path; {@link BeanValidation} needs it. */
  private static final boolean BEAN_VALIDATION = onClassPath("jakarta.validation.Validation");

  private final ObjectMapper mapper;

  private PayloadBinder(ObjectMapper source) {
    ObjectMapper copy = source.copy();
    copy.disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
    copy.setAnnotationIntrospector(AnnotationIntrospector.pair(new RequiredMarker(),
        source.getDeserializationConfig().getAnnotationIntrospector()));
    this.mapper = copy;
  }

  /** The binder on {@code mapper}'s configuration (modules, date formats), one per mapper. */
  public static PayloadBinder of(ObjectMapper mapper) {
    return BY_MAPPER.computeIfAbsent(mapper, PayloadBinder::new);
  }

  /**
   * {@code json} bound to {@code type}; {@code JsonNode} itself is returned as is.
   *
   * @param root how the message names the document: {@code payload}, {@code checkpoint}
   * @throws PermanentFailure naming the field path when {@code json} does not fit {@code type},
   *     or breaks one of its Bean Validation constraints
   */
  public <T> T bind(JsonNode json, Class<T> type, String root) {
    if (type.isInstance(json) && JsonNode.class.isAssignableFrom(type)) {
      return type.cast(json);
    }
    T value = read(json, type, root);
    if (BEAN_VALIDATION) {
      BeanValidation.check(value, root);
    }
    return value;
  }

  private <T> T read(JsonNode json, Class<T> type, String root) {
    try {
      return mapper.readerFor(type).readValue(json);
    } catch (JsonMappingException e) {
      throw new PermanentFailure(describe(e, json, root), e);
    } catch (IOException e) {
      throw new PermanentFailure(root + ": does not fit " + type.getSimpleName() + ": "
          + e.getMessage(), e);
    }
  }

  private static boolean onClassPath(String className) {
    try {
      Class.forName(className, false, PayloadBinder.class.getClassLoader());
      return true;
    } catch (ClassNotFoundException | LinkageError e) {
      return false;
    }
  }

  private static String describe(JsonMappingException e, JsonNode json, String root) {
    List<JsonMappingException.Reference> path = e.getPath();
    StringBuilder where = new StringBuilder(root);
    JsonNode at = json;
    for (JsonMappingException.Reference ref : path) {
      if (ref.getFieldName() != null) {
        where.append('.').append(ref.getFieldName());
        at = at == null ? null : at.get(ref.getFieldName());
      } else if (ref.getIndex() >= 0) {
        where.append('[').append(ref.getIndex()).append(']');
        at = at == null ? null : at.get(ref.getIndex());
      }
    }
    String original = e.getOriginalMessage() == null ? "" : e.getOriginalMessage();
    if (original.startsWith(MISSING_CREATOR_PROPERTY)) {
      int end = original.indexOf('\'', MISSING_CREATOR_PROPERTY.length());
      String name = original.substring(MISSING_CREATOR_PROPERTY.length(), end);
      boolean named = !path.isEmpty() && name.equals(path.get(path.size() - 1).getFieldName());
      return (named ? where : where + "." + name) + ": required, missing";
    }
    if (e instanceof MismatchedInputException mie && mie.getTargetType() != null) {
      return where + ": expected " + expected(mie.getTargetType()) + ", got " + shown(at);
    }
    return where + ": " + original;
  }

  /** What a value of {@code type} looks like in JSON, in words. */
  private static String expected(Class<?> type) {
    Class<?> t = type.isPrimitive() ? boxed(type) : type;
    if (Number.class.isAssignableFrom(t)) {
      return "a number";
    }
    if (t == Boolean.class) {
      return "true or false";
    }
    if (t == String.class || t == Character.class) {
      return "a string";
    }
    if (t.isEnum()) {
      return "one of " + Arrays.toString(t.getEnumConstants());
    }
    if (t.isArray() || Collection.class.isAssignableFrom(t)) {
      return "an array";
    }
    if (TemporalAccessor.class.isAssignableFrom(t)) {
      return "an ISO-8601 string (" + t.getSimpleName() + ")";
    }
    return "an object (" + t.getSimpleName() + ")";
  }

  private static Class<?> boxed(Class<?> primitive) {
    if (primitive == boolean.class) {
      return Boolean.class;
    }
    return primitive == char.class ? Character.class : Number.class;
  }

  private static String shown(JsonNode value) {
    if (value == null || value.isMissingNode()) {
      return "nothing";
    }
    String s = value.toString();
    return s.length() <= MAX_SHOWN_CHARS ? s : s.substring(0, MAX_SHOWN_CHARS) + "\u2026";
  }

  /** Makes {@link Required} mean what {@code @JsonProperty(required = true)} means. */
  private static final class RequiredMarker extends NopAnnotationIntrospector {
    private static final long serialVersionUID = 1L;

    @Override
    public Boolean hasRequiredMarker(AnnotatedMember member) {
      return member.hasAnnotation(Required.class) ? Boolean.TRUE : null;
    }

    @Override
    public Version version() {
      return Version.unknownVersion();
    }
  }
}
