package dev.troupe.k8s;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.troupe.node.Main;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestInstance.Lifecycle;

/**
 * The image Jib built offline (Maven profile image-offline: target/jib-image.tar, an OCI layout):
 * its configuration is what the Jib configuration in k8s/pom.xml promises, and, where this runs as
 * root, its entrypoint starts a node that answers (image/smoke.sh).
 */
@TestInstance(Lifecycle.PER_CLASS)
class ImageIT {
  private static final Path TARGET = Path.of("target").toAbsolutePath();
  private final ObjectMapper json = new ObjectMapper();
  private JsonNode manifest;
  private JsonNode config;
  private Path blobs;

  @BeforeAll
  void unpack() throws Exception {
    Path layout = TARGET.resolve("image");
    Files.createDirectories(layout);
    run(List.of("tar", "-xf", TARGET.resolve("jib-image.tar").toString(), "-C", layout.toString()));
    blobs = layout.resolve("blobs/sha256");
    JsonNode index = json.readTree(layout.resolve("index.json").toFile());
    manifest = blob(index.path("manifests").path(0).path("digest").asText());
    config = blob(manifest.path("config").path("digest").asText()).path("config");
  }

  @Test
  void theImageRunsTheNodeAsAnOrdinaryUserWithContainerMemoryFlags() {
    // then
    assertThat(config.path("User").asText()).isEqualTo("1000:1000");
    List<String> entrypoint = new ArrayList<>();
    config.path("Entrypoint").forEach(e -> entrypoint.add(e.asText()));
    assertThat(entrypoint).startsWith("java").contains("-XX:MaxRAMPercentage=75")
        .endsWith(Main.class.getName());
  }

  @Test
  void theImageExposesHttpAndManagementOnly() {
    // given the ports the node listens on by default
    Config node = Main.config(ConfigFactory.empty());
    Set<String> exposed = new TreeSet<>();
    config.path("ExposedPorts").fieldNames().forEachRemaining(exposed::add);

    // then remoting is not among them
    assertThat(exposed).containsExactlyInAnyOrder(
        node.getInt("troupe.http.port") + "/tcp", node.getInt("pekko.management.http.port") + "/tcp");
  }

  @Test
  void theEntrypointStartsANodeThatAnswers() throws Exception {
    // given the layers unpacked as a container runtime would
    assumeTrue("root".equals(System.getProperty("user.name")),
        "not root: the image's entrypoint cannot be started in a chroot here");
    Path root = TARGET.resolve("image-root");
    run(List.of("rm", "-rf", root.toString()));
    Files.createDirectories(root);
    for (JsonNode layer : manifest.path("layers")) {
      run(List.of("tar", "-xzf", blobs.resolve(digest(layer.path("digest").asText())).toString(),
          "-C", root.toString()));
    }
    List<String> command = new ArrayList<>(List.of("bash",
        Path.of("image/smoke.sh").toAbsolutePath().toString(), root.toString()));
    config.path("Entrypoint").forEach(e -> command.add(e.asText()));

    // when
    String out = run(command);

    // then
    assertThat(out).contains("\"status\":\"SUCCEEDED\"").contains("stopped by SIGTERM");
  }

  private JsonNode blob(String digest) throws IOException {
    return json.readTree(blobs.resolve(digest(digest)).toFile());
  }

  private static String digest(String digest) {
    return digest.substring(digest.indexOf(':') + 1);
  }

  /** Standard output and error of a command that must succeed within three minutes. */
  private static String run(List<String> command) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(3, TimeUnit.MINUTES)).as("%s finished", command).isTrue();
    System.out.println("$ " + String.join(" ", command) + "\n" + out);
    assertThat(p.exitValue()).as("exit status of %s:%n%s", command, out).isZero();
    return out;
  }
}
