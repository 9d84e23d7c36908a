package dev.troupe.api;

import java.util.regex.Pattern;

/** The naming rule of worker definitions. */
public final class WorkerNames {
  /** kebab-case: a lowercase letter or digit, then up to 62 lowercase letters, digits or '-'. */
  public static final Pattern RULE = Pattern.compile("^[a-z0-9][a-z0-9-]{0,62}$");

  private WorkerNames() {}

  /** @throws InvalidArgumentException naming the rule when {@code name} breaks it */
  public static String validate(String name) {
    if (name == null || !RULE.matcher(name).matches()) {
      throw new InvalidArgumentException("invalid worker name '" + name + "': a name must match "
          + RULE.pattern() + " (lowercase letters, digits and '-', 1 to 63 characters, "
          + "not starting with '-')");
    }
    return name;
  }
}
