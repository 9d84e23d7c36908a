package dev.troupe.client.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.troupe.client.Json;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine;

/**
 * What the commands share of reading and printing: JSON arguments ({@code @file}, {@code @-}),
 * JSON output (indented, times as ISO-8601) and tables. Stateless but for standard input.
 */
final class CliOutput {
  private final ObjectMapper json = Json.newMapper().enable(SerializationFeature.INDENT_OUTPUT);
  private final InputStream stdin;

  CliOutput(InputStream stdin) {
    this.stdin = stdin;
  }

  /**
   * {@code arg} as JSON: the text itself, {@code @FILE} for a file's, {@code @-} for standard
   * input's; null is {@code {}}. A usage error of {@code command} when it is not JSON or its file
   * cannot be read.
   */
  JsonNode readJson(String arg, CommandLine command) {
    String text = arg == null ? "{}" : arg;
    String source = "the payload";
    try {
      if (text.equals("@-")) {
        source = "standard input";
        text = new String(stdin.readAllBytes(), StandardCharsets.UTF_8);
      } else if (text.startsWith("@")) {
        source = text.substring(1);
        text = Files.readString(Path.of(source));
      }
      return json.readTree(text);
    } catch (JsonProcessingException e) {
      throw new CommandLine.ParameterException(command,
          source + " is not JSON: " + e.getOriginalMessage());
    } catch (IOException e) {
      throw new CommandLine.ParameterException(command, "cannot read " + source + ": " + e);
    }
  }

  void printJson(PrintWriter out, Object value) {
    try {
      out.println(json.writeValueAsString(value));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write JSON", e);
    }
  }

  /** {@code rows} as columns padded to their widest cell; the first row is the header. */
  void table(PrintWriter out, List<String[]> rows) {
    int[] width = new int[rows.get(0).length];
    for (String[] r : rows) {
      for (int i = 0; i < r.length; i++) {
        width[i] = Math.max(width[i], r[i].length());
      }
    }
    for (String[] r : rows) {
      StringBuilder line = new StringBuilder();
      for (int i = 0; i < r.length; i++) {
        line.append(i == r.length - 1 ? r[i] : String.format("%-" + (width[i] + 2) + "s", r[i]));
      }
      out.println(line.toString().stripTrailing());
    }
  }
}
