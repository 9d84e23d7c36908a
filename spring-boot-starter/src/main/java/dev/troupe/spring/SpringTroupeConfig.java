package dev.troupe.spring;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.troupe.node.TroupeConfig;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.EnumerablePropertySource;
import org.springframework.core.env.PropertySource;

/**
 * The node's Typesafe config from a Spring {@link ConfigurableEnvironment}: every {@code troupe.*}
 * and {@code pekko.*} property the environment lists, as Spring resolves it (so an environment
 * variable or command-line argument wins over {@code application.properties}, as in any Spring
 * application, and placeholders are resolved), over {@code application.conf} when there is one,
 * over Troupe's defaults ({@link TroupeConfig#withDefaults}).
 *
 * <p>Keys are those of Troupe's {@code reference.conf}, written the same way (kebab-case): {@code
 * troupe.http.port=8081}. A list is written with indexes ({@code
 * troupe.http.cors.allowed-origins[0]=...}, or a YAML list). Keys Spring's property names cannot
 * express (quoted HOCON keys, lists of objects) go in {@code application.conf}.
 */
public final class SpringTroupeConfig {
  private static final Pattern INDEXED = Pattern.compile("(.+)\\[(\\d+)]");

  private SpringTroupeConfig() {}

  /** The resolved config of a node for the application whose environment is {@code env}. */
  public static Config fromEnvironment(ConfigurableEnvironment env) {
    return TroupeConfig.withDefaults(properties(env)
        .withFallback(ConfigFactory.parseResources("application.conf")));
  }

  /** The {@code troupe.*} and {@code pekko.*} properties of {@code env}, unresolved. */
  static Config properties(ConfigurableEnvironment env) {
    Map<String, Object> values = new TreeMap<>();
    Map<String, Map<Integer, String>> lists = new TreeMap<>();
    for (String name : names(env)) {
      String value = env.getProperty(name);
      if (value == null) {
        continue;
      }
      Matcher m = INDEXED.matcher(name);
      if (m.matches()) {
        lists.computeIfAbsent(m.group(1), k -> new TreeMap<>())
            .put(Integer.parseInt(m.group(2)), value);
      } else if (name.contains("[")) {
        throw new IllegalArgumentException("property " + name + ": lists of objects cannot be"
            + " set from Spring properties; write it in application.conf");
      } else {
        values.put(name, value);
      }
    }
    lists.forEach((name, items) -> values.put(name, new ArrayList<>(items.values())));
    return ConfigFactory.parseMap(values, "Spring environment");
  }

  private static List<String> names(ConfigurableEnvironment env) {
    Map<String, Boolean> names = new LinkedHashMap<>();
    for (PropertySource<?> source : env.getPropertySources()) {
      if (source instanceof EnumerablePropertySource<?> e) {
        for (String name : e.getPropertyNames()) {
          if (name.startsWith("troupe.") || name.startsWith("pekko.")) {
            names.put(name, true);
          }
        }
      }
    }
    return List.copyOf(names.keySet());
  }
}
