package dev.troupe.api;

import jakarta.validation.ConstraintViolation;
import jakarta.validation.NoProviderFoundException;
import jakarta.validation.Validation;
import jakarta.validation.Validator;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Bean Validation ({@code jakarta.validation}) of what {@link PayloadBinder} binds. This class is
 * loaded only when the Bean Validation API is on the class path; it validates only when an
 * implementation is there too (hibernate-validator with an Expression Language implementation,
 * say). With the API but no implementation, nothing is validated.
 */
final class BeanValidation {
  private static final Validator VALIDATOR;
  private static final RuntimeException BROKEN;

  static {
    Validator validator = null;
    RuntimeException broken = null;
    try {
      validator = Validation.buildDefaultValidatorFactory().getValidator();
    } catch (NoProviderFoundException e) {
      // the API without an implementation: no validation
    } catch (RuntimeException e) {
      broken = e;
    }
    VALIDATOR = validator;
    BROKEN = broken;
  }

  private BeanValidation() {}

  /**
   * Validates {@code value}'s constraints.
   *
   * @param root how the message names the document: {@code payload}, {@code checkpoint}
   * @throws PermanentFailure naming each violation by its JSON path, in path order, separated by
   *     {@code "; "}: {@code payload.items[1].qty: must be greater than 0}
   * @throws IllegalStateException when an implementation is present but could not start
   */
  static void check(Object value, String root) {
    if (BROKEN != null) {
      throw new IllegalStateException("Bean Validation could not start: " + BROKEN.getMessage(),
          BROKEN);
    }
    if (VALIDATOR == null || value == null) {
      return;
    }
    Set<ConstraintViolation<Object>> violations = VALIDATOR.validate(value);
    if (!violations.isEmpty()) {
      // a record component's constraint applies to its field and to its accessor: distinct()
      throw new PermanentFailure(violations.stream()
          .map(v -> path(root, v.getPropertyPath().toString()) + ": " + v.getMessage())
          .distinct().sorted().collect(Collectors.joining("; ")));
    }
  }

  /** {@code items[1].<list element>} becomes {@code payload.items[1]}. */
  private static String path(String root, String property) {
    String cleaned = property.replaceAll("\\.?<[a-z ]+>", "");
    if (cleaned.isEmpty()) {
      return root;
    }
    return cleaned.startsWith("[") ? root + cleaned : root + "." + cleaned;
  }
}
