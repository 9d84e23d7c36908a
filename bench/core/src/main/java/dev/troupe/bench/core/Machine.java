package dev.troupe.bench.core;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Facts about the machine and the JVM a benchmark ran on, for the report's machine table: on a
 * machine whose {@code /proc} files cannot be read, a fact says "unknown" and why.
 */
public final class Machine {
  private Machine() {}

  /**
   * The rows every in-process harness reports: CPU, cores, max heap, OS, JDK and the JVM's flags,
   * in that order; a harness adds its own rows after them.
   */
  public static Map<String, String> facts() {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("CPU", cpu());
    m.put("cores (availableProcessors)", String.valueOf(cores()));
    m.put("max heap", (Runtime.getRuntime().maxMemory() >> 20) + " MiB");
    m.put("OS", os());
    m.put("JDK", jdk());
    m.put("JVM flags", jvmFlags());
    return m;
  }

  /** The CPU's model name from {@code /proc/cpuinfo}. */
  public static String cpu() {
    try (Stream<String> lines = Files.lines(Path.of("/proc/cpuinfo"))) {
      return lines.filter(l -> l.startsWith("model name"))
          .map(l -> l.substring(l.indexOf(':') + 1).trim()).findFirst()
          .orElse("unknown (no model name in /proc/cpuinfo)");
    } catch (IOException | RuntimeException e) {
      return "unknown (/proc/cpuinfo not readable)";
    }
  }

  /** The cores this JVM may use. */
  public static int cores() {
    return Runtime.getRuntime().availableProcessors();
  }

  /** The machine's memory ({@code MemTotal} of {@code /proc/meminfo}), e.g. "15.6 GiB". */
  public static String memory() {
    try (Stream<String> lines = Files.lines(Path.of("/proc/meminfo"))) {
      return lines.filter(l -> l.startsWith("MemTotal:")).map(l -> String.format(Locale.ROOT,
          "%.1f GiB", Long.parseLong(l.replaceAll("\\D", "")) / 1024.0 / 1024.0)).findFirst()
          .orElse("unknown (no MemTotal in /proc/meminfo)");
    } catch (IOException | RuntimeException e) {
      return "unknown (/proc/meminfo not readable)";
    }
  }

  /** Name, version and architecture of the OS. */
  public static String os() {
    return System.getProperty("os.name") + " " + System.getProperty("os.version") + " ("
        + System.getProperty("os.arch") + ")";
  }

  /** The JVM's name, version and vendor. */
  public static String jdk() {
    return System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version",
        System.getProperty("java.version")) + " (" + System.getProperty("java.vendor") + ")";
  }

  /** This JVM's flags, without the {@code -D<prefix>.command=…} the scripts pass. */
  public static String jvmFlags() {
    return String.join(" ", ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
        .filter(x -> !x.matches("-D[\\w-]+\\.command=.*")).toList());
  }

  /** The 1, 5 and 15 minute load averages from {@code /proc/loadavg}, e.g. "0.52 0.61 0.70". */
  public static String loadAverage() {
    try {
      String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
      return f[0] + " " + f[1] + " " + f[2];
    } catch (IOException | RuntimeException e) {
      return "unknown (/proc/loadavg not readable)";
    }
  }

  /** The 1-minute figure of a {@link #loadAverage()}, or NaN when it was unknown. */
  public static double oneMinute(String loadAverage) {
    try {
      return Double.parseDouble(loadAverage.trim().split("\\s+")[0]);
    } catch (RuntimeException e) {
      return Double.NaN;
    }
  }

  /** CPU time this JVM has used, in nanoseconds (all its threads, user and system). */
  public static long processCpuNanos() {
    return ManagementFactory.getPlatformMXBean(com.sun.management.OperatingSystemMXBean.class)
        .getProcessCpuTime();
  }
}
