package dev.cloudpc.reprovision.bench;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** What the figures were measured on; the load average says how busy the box already was. */
final class Machine {
  private Machine() {
  }

  static JsonObject describe() {
    return new JsonObject()
        .put("cores", Runtime.getRuntime().availableProcessors())
        .put("cpu", firstValue("/proc/cpuinfo", "model name"))
        .put("memTotal", firstValue("/proc/meminfo", "MemTotal"))
        .put("loadAverageAtStart", read("/proc/loadavg").split(" ")[0])
        .put("os", System.getProperty("os.name") + " " + System.getProperty("os.version"))
        .put("java", System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version"))
        .put("clockTicksPerSecond", ProcStats.clockTicksPerSecond());
  }

  static String loadAverage() {
    return read("/proc/loadavg").trim();
  }

  private static String firstValue(String file, String key) {
    for (String line : read(file).split("\n")) {
      if (line.startsWith(key)) {
        return line.substring(line.indexOf(':') + 1).trim();
      }
    }
    return "unknown";
  }

  private static String read(String file) {
    try {
      return Files.readString(Path.of(file));
    } catch (IOException e) {
      return "unknown";
    }
  }
}
