package dev.troupe.api;

import java.util.regex.Pattern;

/**
 * The rule of a failure's {@code code} label, shared by {@link PermanentFailure} and {@link
 * TransientFailure}.
 */
final class FailureCodes {
  /** Letters, digits, {@code _ . -}; 1 to 64 characters, so it fits a column and reads in a URL. */
  static final Pattern RULE = Pattern.compile("^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$");

  private FailureCodes() {}

  static String check(String code) {
    if (code != null && !RULE.matcher(code).matches()) {
      throw new IllegalArgumentException("a failure code is 1 to 64 letters, digits, '_', '.' or"
          + " '-', starting with a letter or digit: " + code);
    }
    return code;
  }
}
