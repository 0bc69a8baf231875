package dev.cloudpc.reprovision.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Reads another process's CPU time, thread count and resident memory from {@code /proc/<pid>/stat} and
 * {@code /proc/<pid>/status} (Linux). Measures the product from the outside, so nothing in it changes for the bench.
 */
final class ProcStats {

  /** One reading; memory in KiB as the kernel reports it. */
  record Snapshot(double cpuSeconds, int threads, long rssKib, long peakRssKib) {
  }

  private static final double CLOCK_TICKS = clockTicks();

  private final long pid;

  ProcStats(long pid) {
    this.pid = pid;
  }

  Snapshot read() {
    try {
      return new Snapshot(cpuSeconds(read("stat")), (int) field(read("status"), "Threads:"),
          field(read("status"), "VmRSS:"), field(read("status"), "VmHWM:"));
    } catch (IOException e) {
      throw new IllegalStateException("cannot read /proc/" + pid + " (has the product exited?)", e);
    }
  }

  private String read(String file) throws IOException {
    return Files.readString(Path.of("/proc", Long.toString(pid), file), StandardCharsets.US_ASCII);
  }

  /** utime and stime are fields 14 and 15; the command name (field 2) may hold spaces, so count from its ')'. */
  private static double cpuSeconds(String stat) {
    String[] after = stat.substring(stat.lastIndexOf(')') + 2).trim().split(" +");
    return (Long.parseLong(after[11]) + Long.parseLong(after[12])) / CLOCK_TICKS;
  }

  private static long field(String status, String name) {
    for (String line : status.split("\n")) {
      if (line.startsWith(name)) {
        return Long.parseLong(line.substring(name.length()).trim().split(" +")[0]);
      }
    }
    throw new IllegalStateException("/proc status has no " + name);
  }

  /** USER_HZ: 100 on every common Linux, but asked for rather than assumed. */
  private static double clockTicks() {
    try {
      Process getconf = new ProcessBuilder("getconf", "CLK_TCK").redirectErrorStream(true).start();
      String out = new String(getconf.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).trim();
      return getconf.waitFor() == 0 ? Double.parseDouble(out) : 100;
    } catch (IOException | NumberFormatException e) {
      return 100;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return 100;
    }
  }

  /** CPU seconds the whole machine spent busy since boot (all cores, every process: /proc/stat's first line). */
  static double machineBusySeconds() {
    try {
      String[] cpu = Files.readString(Path.of("/proc/stat"), StandardCharsets.US_ASCII).split("\n", 2)[0]
          .trim().split(" +");
      long busy = 0;
      for (int i = 1; i < cpu.length && i <= 8; i++) {
        if (i != 4 && i != 5) { // idle and iowait
          busy += Long.parseLong(cpu[i]);
        }
      }
      return busy / CLOCK_TICKS;
    } catch (IOException e) {
      throw new IllegalStateException("cannot read /proc/stat", e);
    }
  }

  static double clockTicksPerSecond() {
    return CLOCK_TICKS;
  }
}
