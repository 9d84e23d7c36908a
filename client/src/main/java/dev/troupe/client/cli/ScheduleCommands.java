package dev.troupe.client.cli;

import dev.troupe.client.Misfire;
import dev.troupe.client.RunRef;
import dev.troupe.client.ScheduleSpec;
import dev.troupe.client.TroupeClient;
import java.io.PrintWriter;
import java.util.function.Supplier;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code troupe schedule put|get|delete|pause|resume|trigger NAME}: one schedule, each subcommand
 * one call of {@link dev.troupe.client.ScheduleClient}. A schedule is printed as JSON, a triggered
 * run as its id (for {@code troupe tail}); a refusal (unknown schedule or worker, bad cron, token)
 * exits with {@link ExitCodes#REFUSED}.
 */
@Command(name = "schedule", description = "Puts, reads, deletes, pauses, resumes or triggers a"
    + " cron schedule.")
final class ScheduleCommands {
  @Spec
  private CommandSpec spec;

  private final Supplier<TroupeClient> client;
  private final CliOutput output;

  /** @param client the client of the root command's --url and --token, made when called */
  ScheduleCommands(Supplier<TroupeClient> client, CliOutput output) {
    this.client = client;
    this.output = output;
  }

  @Command(name = "put", description = {"Creates or replaces schedule NAME and prints it as JSON"
      + " (needs an admin token when tokens are set).",
      "CRON has 6 fields (second minute hour day-of-month month day-of-week) or 5 (Unix cron)."})
  int put(@Parameters(paramLabel = "NAME") String name,
      @Option(names = "--worker", required = true, paramLabel = "WORKER",
          description = "The worker each fire time calls.") String worker,
      @Option(names = "--cron", required = true, paramLabel = "CRON",
          description = "When it fires, such as '0 30 2 * * *'.") String cron,
      @Option(names = "--timezone", paramLabel = "ZONE",
          description = "The zone CRON is read in, such as Europe/Berlin (default UTC).") String zone,
      @Option(names = "--payload", paramLabel = "PAYLOAD", description = "The runs' payload: JSON,"
          + " @FILE or @- (default {}).") String payload,
      @Option(names = "--misfire", paramLabel = "POLICY", converter = MisfireConverter.class,
          description = "skip (the default) or run-once: what fire times missed while no node"
              + " could fire start.") Misfire misfire,
      @Option(names = "--priority", paramLabel = "0-9", description = "The runs' priority.")
      Integer priority) {
    ScheduleSpec s = ScheduleSpec.of(worker, cron).withTimezone(zone).withMisfire(misfire)
        .withPriority(priority)
        .withPayload(payload == null ? null : output.readJson(payload, spec.subcommands().get("put")));
    output.printJson(out(), client.get().schedules().put(name, s));
    return ExitCodes.OK;
  }

  @Command(name = "get", description = "Prints schedule NAME as JSON: its definition, whether it"
      + " is paused, its next fire times and its recent runs.")
  int get(@Parameters(paramLabel = "NAME") String name) {
    output.printJson(out(), client.get().schedules().get(name));
    return ExitCodes.OK;
  }

  @Command(name = "delete", description = "Deletes schedule NAME: it fires no more (needs an admin"
      + " token when tokens are set).")
  int delete(@Parameters(paramLabel = "NAME") String name) {
    client.get().schedules().delete(name);
    out().println("deleted " + name);
    return ExitCodes.OK;
  }

  @Command(name = "pause", description = "Stops schedule NAME firing until resumed and prints it"
      + " (needs an admin token when tokens are set).")
  int pause(@Parameters(paramLabel = "NAME") String name) {
    output.printJson(out(), client.get().schedules().pause(name));
    return ExitCodes.OK;
  }

  @Command(name = "resume", description = "Lets schedule NAME fire again from now on and prints it"
      + " (needs an admin token when tokens are set).")
  int resume(@Parameters(paramLabel = "NAME") String name) {
    output.printJson(out(), client.get().schedules().resume(name));
    return ExitCodes.OK;
  }

  @Command(name = "trigger", description = "Starts one run of schedule NAME now, paused or not,"
      + " and prints the run's id.")
  int trigger(@Parameters(paramLabel = "NAME") String name) {
    RunRef run = client.get().schedules().trigger(name);
    out().println(run.runId());
    return ExitCodes.OK;
  }

  private PrintWriter out() {
    return spec.commandLine().getOut();
  }

  /** {@code skip} or {@code run-once}, as the HTTP API writes them. */
  static final class MisfireConverter implements CommandLine.ITypeConverter<Misfire> {
    @Override
    public Misfire convert(String value) {
      return switch (value.trim().toLowerCase(java.util.Locale.ROOT)) {
        case "skip" -> Misfire.SKIP;
        case "run-once" -> Misfire.RUN_ONCE;
        default -> throw new CommandLine.TypeConversionException(
            "misfire must be skip or run-once, was '" + value + "'");
      };
    }
  }
}
