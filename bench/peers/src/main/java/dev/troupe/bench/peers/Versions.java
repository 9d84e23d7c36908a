package dev.troupe.bench.peers;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/** Versions of the libraries on the classpath, read from their jars. */
final class Versions {
  private Versions() {}

  /** From the jar's Maven pom.properties, else its manifest's Implementation-Version. */
  static String of(String groupId, String artifactId, Class<?> fromJar) {
    String path = "/META-INF/maven/" + groupId + "/" + artifactId + "/pom.properties";
    try (InputStream in = fromJar.getResourceAsStream(path)) {
      if (in != null) {
        Properties p = new Properties();
        p.load(in);
        return p.getProperty("version");
      }
    } catch (IOException e) {
      // fall back to the manifest
    }
    String v = fromJar.getPackage().getImplementationVersion();
    return v == null ? "(version unknown)" : v;
  }
}
