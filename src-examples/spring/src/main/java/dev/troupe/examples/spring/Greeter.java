package dev.troupe.examples.spring;

import dev.troupe.api.PermanentFailure;
import dev.troupe.api.Required;
import java.util.Map;
import org.springframework.stereotype.Service;

/** An ordinary Spring bean that the {@code greet} job uses. */
@Service
public class Greeter {
  private static final Map<String, String> HELLO = Map.of("en", "Hello", "fr", "Bonjour",
      "de", "Hallo");

  /** The payload of {@code greet}: {@code {"name": "Ada", "language": "fr"}}. */
  public record Request(@Required String name, String language) {}

  /** The result of {@code greet}. */
  public record Greeting(String text, String language) {}

  /** @throws PermanentFailure for a language it does not speak: no retry would help */
  public Greeting greet(Request request) {
    String language = request.language() == null ? "en" : request.language();
    String hello = HELLO.get(language);
    if (hello == null) {
      throw new PermanentFailure("no greeting in language '" + language + "'");
    }
    return new Greeting(hello + ", " + request.name() + "!", language);
  }
}
