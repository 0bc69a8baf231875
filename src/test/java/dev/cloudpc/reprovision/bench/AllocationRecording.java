package dev.cloudpc.reprovision.bench;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Allocation per request, from outside the product: a JFR recording ({@code settings=profile}) started and stopped
 * with {@code jcmd} at a window's edges. {@code jdk.ThreadAllocationStatistics} is emitted at each chunk's start and
 * end, so per thread the last value minus the first is what it allocated in the window; their sum over requests is
 * bytes per request. {@code jdk.ObjectAllocationSample} (weighted samples) says where: summed by the first frame in
 * the product's code and by the allocating frame. The requests still in flight at the close edge allocate before
 * the recording stops, so the divisor is the window's answers plus the concurrency (an over-count of at most that).
 */
final class AllocationRecording {
  private static final String NAME = "bench-alloc";
  private static final String PRODUCT_PACKAGE = "dev.cloudpc.";
  private static final int TOP = 8;

  private final long pid;
  private final Path file;

  AllocationRecording(long pid, Path file) {
    this.pid = pid;
    this.file = file;
  }

  void start() {
    tool("jcmd", Long.toString(pid), "JFR.start", "name=" + NAME, "settings=profile");
  }

  void stop() {
    tool("jcmd", Long.toString(pid), "JFR.stop", "name=" + NAME, "filename=" + file);
  }

  JsonObject summary(long requests) {
    JsonArray events = new JsonObject(tool("jfr", "print", "--json", "--stack-depth", "16", "--events",
        "jdk.ThreadAllocationStatistics,jdk.ObjectAllocationSample", file.toString()))
        .getJsonObject("recording").getJsonArray("events");
    Map<Long, long[]> perThread = new HashMap<>();
    Map<String, Long> byProductFrame = new HashMap<>();
    Map<String, Long> byAllocatingFrame = new HashMap<>();
    long sampled = 0;
    for (int i = 0; i < events.size(); i++) {
      JsonObject event = events.getJsonObject(i);
      JsonObject values = event.getJsonObject("values");
      if ("jdk.ThreadAllocationStatistics".equals(event.getString("type"))) {
        long allocated = values.getLong("allocated");
        perThread.merge(values.getJsonObject("thread").getLong("osThreadId"), new long[] {allocated, allocated},
            (a, b) -> new long[] {Math.min(a[0], b[0]), Math.max(a[1], b[1])});
        continue;
      }
      long weight = values.getLong("weight");
      sampled += weight;
      JsonObject stack = values.getJsonObject("stackTrace");
      JsonArray frames = stack == null ? new JsonArray() : stack.getJsonArray("frames", new JsonArray());
      String objectClass = values.getJsonObject("objectClass").getString("name").replace('/', '.');
      String allocating = frames.isEmpty() ? "(no stack)" : frame(frames.getJsonObject(0));
      byAllocatingFrame.merge(allocating + " (" + objectClass + ")", weight, Long::sum);
      byProductFrame.merge(productFrame(frames), weight, Long::sum);
    }
    long allocated = perThread.values().stream().mapToLong(range -> range[1] - range[0]).sum();
    double perRequest = allocated / (double) requests;
    return new JsonObject().put("requests", requests).put("allocatedBytes", allocated)
        .put("bytesPerRequest", Report.round(perRequest)).put("sampledBytes", sampled)
        .put("byFirstProductFrame", top(byProductFrame, sampled, perRequest))
        .put("byAllocatingFrame", top(byAllocatingFrame, sampled, perRequest))
        .put("recording", file.toString());
  }

  private static String productFrame(JsonArray frames) {
    for (int i = 0; i < frames.size(); i++) {
      String frame = frame(frames.getJsonObject(i));
      if (frame.startsWith(PRODUCT_PACKAGE)) {
        return frame;
      }
    }
    return "(no product frame in the stack's top 16)";
  }

  private static String frame(JsonObject frame) {
    JsonObject method = frame.getJsonObject("method");
    return method.getJsonObject("type").getString("name").replace('/', '.') + "." + method.getString("name");
  }

  /** The heaviest entries, each as its share of the sampled weight and the bytes per request that share stands for. */
  private static JsonArray top(Map<String, Long> weights, long sampled, double perRequest) {
    List<Map.Entry<String, Long>> sorted = new ArrayList<>(weights.entrySet());
    sorted.sort(Map.Entry.<String, Long>comparingByValue().reversed());
    JsonArray out = new JsonArray();
    for (Map.Entry<String, Long> entry : sorted.subList(0, Math.min(TOP, sorted.size()))) {
      double share = entry.getValue() / (double) sampled;
      out.add(new JsonObject().put("where", entry.getKey()).put("share", Report.round(share))
          .put("bytesPerRequest", Math.round(share * perRequest)));
    }
    return out;
  }

  /** Runs a JDK tool from this JVM's home; its standard output, or a failure naming the tool's own message. */
  private static String tool(String name, String... arguments) {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", name).toString());
    command.addAll(List.of(arguments));
    try {
      Path out = Files.createTempFile("bench-" + name, ".out");
      try {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(out.toFile()).start();
        int exit = process.waitFor();
        String text = Files.readString(out, StandardCharsets.UTF_8);
        if (exit != 0) {
          throw new IllegalStateException(String.join(" ", command) + " failed (" + exit + "): " + text);
        }
        return text;
      } finally {
        Files.deleteIfExists(out);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted running " + name);
    }
  }
}
