package dev.troupe.client.cli;

import dev.troupe.client.RunStatus;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import picocli.CommandLine;

/**
 * Reads the {@code --status} of {@code troupe runs}: a status the node lists runs by, in any
 * case; never {@link RunStatus#UNKNOWN}, which only stands for a status this client cannot read.
 * {@link Choices} names them in the help.
 */
final class StatusConverter implements CommandLine.ITypeConverter<RunStatus> {
  private static final List<RunStatus> STATUSES = Arrays.stream(RunStatus.values())
      .filter(s -> s != RunStatus.UNKNOWN).toList();

  @Override
  public RunStatus convert(String value) {
    return STATUSES.stream().filter(s -> s.name().equalsIgnoreCase(value.trim())).findFirst()
        .orElseThrow(() -> new CommandLine.TypeConversionException("'" + value
            + "' is not a run status: " + String.join(", ", new Choices())));
  }

  /** The statuses {@code --status} takes, for the help's {@code ${COMPLETION-CANDIDATES}}. */
  static final class Choices implements Iterable<String> {
    @Override
    public Iterator<String> iterator() {
      return STATUSES.stream().map(RunStatus::name).iterator();
    }
  }
}
