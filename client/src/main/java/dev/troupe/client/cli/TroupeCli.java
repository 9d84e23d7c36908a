package dev.troupe.client.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.troupe.client.CallOptions;
import dev.troupe.client.Run;
import dev.troupe.client.RunEvent;
import dev.troupe.client.RunEventStream;
import dev.troupe.client.RunPage;
import dev.troupe.client.RunQuery;
import dev.troupe.client.RunRef;
import dev.troupe.client.RunStatus;
import dev.troupe.client.Schedule;
import dev.troupe.client.TroupeApiException;
import dev.troupe.client.TroupeClient;
import dev.troupe.client.UnreachableException;
import dev.troupe.client.WaitTimeoutException;
import dev.troupe.client.WorkerInfo;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;
import picocli.CommandLine;

/**
 * {@code troupe}: Troupe's HTTP API from a shell. Each subcommand is one use of {@link
 * TroupeClient}, so it has the client's guarantees (a call retried with its idempotency key makes
 * one run; a followed stream resumes by itself) and ends with an exit code of {@link ExitCodes}.
 */
@Command(name = "troupe", mixinStandardHelpOptions = true, scope = ScopeType.INHERIT,
    version = "troupe 0.1.0",
    description = "Calls Troupe workers; follows, lists, cancels and re-runs their runs; manages"
        + " cron schedules; over HTTP.",
    subcommands = CommandLine.HelpCommand.class,
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
        "0:the command succeeded; for a run: it SUCCEEDED",
        "1:the run FAILED",
        "2:usage error (unknown option, missing argument, payload not JSON)",
        "3:the run was CANCELLED",
        "4:the run TIMED_OUT",
        "5:no node could be reached (TROUPE_URL, --url)",
        "6:the node refused the request (unknown worker, run or schedule, bad payload or cron,"
            + " token, finished or unfinished run)",
        "7:--timeout passed before the run ended (the run goes on)",
        "70:internal error of the command line"})
public final class TroupeCli {
  @Spec
  private CommandSpec spec;

  @Option(names = "--url", scope = ScopeType.INHERIT, paramLabel = "URL[,URL...]",
      defaultValue = "${env:TROUPE_URL:-http://localhost:8080}",
      description = "The node's base URL, or several comma-separated (env TROUPE_URL; default"
          + " ${DEFAULT-VALUE}).")
  private String url;

  @Option(names = "--token", scope = ScopeType.INHERIT, paramLabel = "TOKEN", defaultValue = "${env:TROUPE_TOKEN}",
      description = "A bearer token (env TROUPE_TOKEN).")
  private String token;

  private final boolean terminal;
  private final CliOutput output = new CliOutput(System.in);

  /** @param terminal whether output goes to a terminal (progress bars are then redrawn in place) */
  TroupeCli(boolean terminal) {
    this.terminal = terminal;
  }

  /** Runs {@code troupe} with {@code args} and exits with its exit code. */
  public static void main(String[] args) {
    System.exit(commandLine(System.console() != null).execute(args));
  }

  /**
   * The command line, ready to {@link CommandLine#execute}: client failures become the exit codes
   * of {@link ExitCodes} with a one-line message on the error stream, never a stack trace.
   */
  public static CommandLine commandLine(boolean terminal) {
    TroupeCli cli = new TroupeCli(terminal);
    CommandLine cl = new CommandLine(cli);
    cl.addSubcommand(new ScheduleCommands(cli::client, cli.output));
    // "@file" is a payload here (read by the call command), not picocli's argument file
    cl.setExpandAtFiles(false);
    cl.setExecutionExceptionHandler((e, cmd, parsed) -> {
      PrintWriter err = cmd.getErr();
      int code;
      if (e instanceof WaitTimeoutException w) {
        err.println("troupe: " + w.getMessage() + "; it goes on"
            + (w.runId() == null ? "" : " (troupe tail " + w.runId() + ")"));
        code = ExitCodes.WAIT_TIMEOUT;
      } else if (e instanceof UnreachableException) {
        err.println("troupe: " + e.getMessage());
        code = ExitCodes.UNREACHABLE;
      } else if (e instanceof TroupeApiException a) {
        err.println("troupe: " + a.status() + " " + a.code() + ": " + a.getMessage());
        code = ExitCodes.REFUSED;
      } else if (e instanceof IllegalArgumentException) {
        err.println("troupe: " + e.getMessage());
        code = ExitCodes.USAGE;
      } else {
        err.println("troupe: internal error: " + e);
        code = ExitCodes.INTERNAL;
      }
      err.flush();
      return code;
    });
    return cl;
  }

  // commands

  @Command(name = "call", description = {
      "Calls WORKER with PAYLOAD: waits for the run and prints it as JSON; with --follow prints"
          + " its events as they come (progress as a bar), then its outcome.",
      "The exit code tells how the run ended."})
  int call(
      @Parameters(index = "0", paramLabel = "WORKER") String worker,
      @Parameters(index = "1", arity = "0..1", paramLabel = "PAYLOAD",
          description = "JSON, @FILE for a file's JSON, or @- for standard input (default {}).")
      String payload,
      @Option(names = {"-f", "--follow"}, description = "Print the run's events as they come.")
      boolean follow,
      @Option(names = "--no-wait", description = "Print the run id and return at once.")
      boolean noWait,
      @Option(names = "--timeout", defaultValue = "10m", paramLabel = "DURATION", converter = DurationConverter.class,
          description = "How long to wait for the run (default ${DEFAULT-VALUE}).")
      Duration timeout,
      @Option(names = "--key", paramLabel = "KEY", description = "An idempotency key: a call with a key already used"
          + " returns that run instead of starting another.") String key,
      @Option(names = "--tag", paramLabel = "TAG", description = "A tag (repeatable).")
      List<String> tags,
      @Option(names = "--run-timeout", paramLabel = "DURATION", converter = DurationConverter.class,
          description = "The timeout of each attempt, overriding the worker's.") Duration runTimeout) {
    JsonNode body = output.readJson(payload, spec.commandLine().getSubcommands().get("call"));
    CallOptions options = CallOptions.NONE.withIdempotencyKey(key).withTimeout(runTimeout)
        .withTags(tags);
    TroupeClient client = client();
    if (noWait || follow) {
      RunRef ref = client.call(worker, body, options);
      if (noWait) {
        out().println(ref.runId());
        return ExitCodes.OK;
      }
      out().println("run " + ref.runId() + (ref.existing() ? " (existing)" : ""));
      return follow(client, ref.runId(), 0, timeout);
    }
    Run run = client.callAndWait(worker, body, options, timeout);
    output.printJson(out(), run);
    return ExitCodes.of(run.status());
  }

  @Command(name = "tail", description = {
      "Prints the events of RUN from its first (or after --after) until it ends, resuming by"
          + " itself when the connection drops. The exit code tells how the run ended."})
  int tail(@Parameters(paramLabel = "RUN") String runId,
      @Option(names = "--after", defaultValue = "0", paramLabel = "ID",
          description = "Start after this event id.") long after,
      @Option(names = "--timeout", defaultValue = "1h", paramLabel = "DURATION", converter = DurationConverter.class,
          description = "How long to follow (default ${DEFAULT-VALUE}).") Duration timeout) {
    return follow(client(), runId, after, timeout);
  }

  @Command(name = "get", description = "Prints RUN as JSON.")
  int get(@Parameters(paramLabel = "RUN") String runId) {
    output.printJson(out(), client().get(runId));
    return ExitCodes.OK;
  }

  @Command(name = "cancel", description = "Cancels RUN (needs an admin token when tokens are set).")
  int cancel(@Parameters(paramLabel = "RUN") String runId) {
    client().cancel(runId);
    out().println("cancelled " + runId);
    return ExitCodes.OK;
  }

  @Command(name = "runs", description = "Lists runs, newest first.")
  int runs(
      @Option(names = "--worker", paramLabel = "WORKER", description = "Only this worker's runs.") String worker,
      @Option(names = "--status", paramLabel = "STATUS", converter = StatusConverter.class,
          completionCandidates = StatusConverter.Choices.class,
          description = "Only runs with this status: ${COMPLETION-CANDIDATES}.") RunStatus status,
      @Option(names = "--limit", defaultValue = "20", paramLabel = "N", description = "At most this many"
          + " (default ${DEFAULT-VALUE}).") int limit,
      @Option(names = "--cursor", paramLabel = "CURSOR", description = "The page after the one that printed it.")
      String cursor,
      @Option(names = "--tag", paramLabel = "TAG", description = "Only runs called with this tag.")
      String tag,
      @Option(names = "--from", paramLabel = "WHEN", converter = SinceConverter.class,
          description = "Only runs created at or after WHEN: an instant such as"
              + " 2026-12-01T00:00:00Z, or a duration before now such as 24h.") Instant from,
      @Option(names = "--to", paramLabel = "WHEN", converter = SinceConverter.class,
          description = "Only runs created before WHEN (as --from).") Instant to,
      @Option(names = "--parent", paramLabel = "RUN", description = "Only the child runs of RUN"
          + " (the runs its handler started).") String parent,
      @Option(names = "--json", description = "Print the page as JSON.") boolean asJson) {
    RunPage page = client().runs(new RunQuery(worker, status, limit, cursor, tag, from, to,
        parent));
    if (asJson) {
      output.printJson(out(), page);
      return ExitCodes.OK;
    }
    List<String[]> rows = new ArrayList<>();
    rows.add(new String[] {"RUN", "WORKER", "STATUS", "ATTEMPTS", "CREATED", "DURATION"});
    for (Run r : page.runs()) {
      rows.add(new String[] {r.runId(), r.worker(), String.valueOf(r.status()),
          String.valueOf(r.attempts()), String.valueOf(r.createdAt()),
          r.durationMs() == null ? "" : r.durationMs() + " ms"});
    }
    output.table(out(), rows);
    if (page.nextCursor() != null) {
      out().println("more: --cursor " + page.nextCursor() + " (with the same filters)");
    }
    return ExitCodes.OK;
  }

  @Command(name = "workers", description = "Lists the workers with their stats.")
  int workers(@Option(names = "--json", description = "Print them as JSON.") boolean asJson) {
    List<WorkerInfo> workers = client().workers();
    if (asJson) {
      output.printJson(out(), workers);
      return ExitCodes.OK;
    }
    List<String[]> rows = new ArrayList<>();
    rows.add(new String[] {"WORKER", "RUNS", "SUCCEEDED", "FAILED", "RUNNING", "QUEUED",
        "DESCRIPTION"});
    for (WorkerInfo w : workers) {
      rows.add(new String[] {w.name(), n(w, "runs"), n(w, "succeeded"), n(w, "failed"),
          n(w, "running"), n(w, "queued"), w.description() == null ? "" : w.description()});
    }
    output.table(out(), rows);
    return ExitCodes.OK;
  }

  @Command(name = "rerun", description = {"Re-runs finished RUN: a new run of its worker with its"
      + " payload, priority and tags, whose id is printed (needs an admin token when tokens are"
      + " set).", "Follow it with troupe tail."})
  int rerun(@Parameters(paramLabel = "RUN") String runId) {
    out().println(client().rerun(runId).runId());
    return ExitCodes.OK;
  }

  @Command(name = "rerun-failed", description = {"Re-runs WORKER's FAILED runs (each once, a"
      + " bounded number per call) and prints how many it re-ran (needs an admin token when"
      + " tokens are set)."})
  int rerunFailed(@Parameters(paramLabel = "WORKER") String worker,
      @Option(names = "--since", paramLabel = "WHEN", converter = SinceConverter.class,
          description = "Only runs created at or after WHEN: an instant such as"
              + " 2026-12-01T00:00:00Z, or a duration before now such as 24h.") Instant since) {
    out().println(client().rerunFailed(worker, since));
    return ExitCodes.OK;
  }

  @Command(name = "schedules", description = "Lists the cron schedules.")
  int schedules(@Option(names = "--json", description = "Print them as JSON.") boolean asJson) {
    List<Schedule> all = client().schedules().list();
    if (asJson) {
      output.printJson(out(), all);
      return ExitCodes.OK;
    }
    List<String[]> rows = new ArrayList<>();
    rows.add(new String[] {"SCHEDULE", "WORKER", "CRON", "TIMEZONE", "PAUSED", "NEXT"});
    for (Schedule s : all) {
      rows.add(new String[] {s.name(), s.worker(), s.cron(), s.timezone(),
          String.valueOf(s.paused()),
          s.nextFireTimes().isEmpty() ? "-" : s.nextFireTimes().get(0).toString()});
    }
    output.table(out(), rows);
    return ExitCodes.OK;
  }

  // helpers

  private int follow(TroupeClient client, String runId, long after, Duration timeout) {
    EventPrinter printer = new EventPrinter(out(), terminal);
    Run end = null;
    try (RunEventStream s = client.events(runId, after, timeout)) {
      while (s.hasNext()) {
        RunEvent e = s.next();
        printer.print(e);
        if (e.isTerminal()) {
          end = e.run();
        }
      }
    }
    return end == null ? ExitCodes.INTERNAL : ExitCodes.of(end.status());
  }

  private TroupeClient client() {
    return TroupeClient.builder().baseUrls(url).token(token).build();
  }

  private static String n(WorkerInfo w, String stat) {
    return w.stats() == null ? "-" : String.valueOf(w.stat(stat));
  }

  private PrintWriter out() {
    return spec.commandLine().getOut();
  }
}
