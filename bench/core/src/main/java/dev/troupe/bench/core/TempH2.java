package dev.troupe.bench.core;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * An H2 database file in a fresh temporary folder; {@link #close()} deletes the folder.
 *
 * @param dir the folder
 * @param url {@code jdbc:h2:file:<dir>/<file>} followed by the settings it was created with
 */
public record TempH2(Path dir, String url) implements AutoCloseable {

  /**
   * A new temporary folder named from {@code folderPrefix}, and the URL of the database {@code
   * file} in it with {@code settings} (e.g. {@code ";DB_CLOSE_ON_EXIT=FALSE"}) appended.
   */
  public static TempH2 create(String folderPrefix, String file, String settings) throws IOException {
    Path dir = Files.createTempDirectory(folderPrefix).toAbsolutePath();
    return new TempH2(dir, "jdbc:h2:file:" + dir.resolve(file) + settings);
  }

  /** {@link #url} with the folder, which is this machine's, shown as {@code <temporary folder>}. */
  public String shownUrl() {
    return url.replace(dir.toString(), "<temporary folder>");
  }

  /** Deletes the folder and what is in it, as far as it can: it is a temporary folder. */
  @Override
  public void close() {
    try (Stream<Path> walk = Files.walk(dir)) {
      walk.sorted(Comparator.reverseOrder()).forEach(p -> {
        try {
          Files.deleteIfExists(p);
        } catch (IOException ignored) {
          // the OS cleans temporary folders up eventually
        }
      });
    } catch (IOException ignored) {
      // idem
    }
  }
}
