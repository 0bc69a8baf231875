package dev.cloudpc.reprovision.bench;

import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;

/**
 * Sizes and limits of one run. Every phase ends at a request count or a time limit, whichever comes first.
 * {@code -Dbench.scale=0.2} shrinks the counts for a quick try; {@code -Dbench.productJvmOptions="..."} passes JVM
 * options to the product's process (empty by default: the contract's plain {@code java -jar});
 * {@code -Dbench.smallJvmOptions} those of the 512 MB-instance run (default {@code -XX:+UseSerialGC -Xmx128m}).
 */
record BenchSettings(double scale, List<String> productJvmOptions, List<String> smallJvmOptions, int coldStarts, int sequentialWarmup,
                     int sequentialMeasured, Duration graphLatency, List<Integer> concurrencies,
                     int handoverWarmup, int handoverMeasured) {

  static final int MIN_SEQUENTIAL_PER_SIDE = 2_000;

  static BenchSettings fromSystemProperties() {
    double scale = Double.parseDouble(System.getProperty("bench.scale", "1"));
    String jvm = System.getProperty("bench.productJvmOptions", "").trim();
    String small = System.getProperty("bench.smallJvmOptions", "-XX:+UseSerialGC -Xmx128m").trim();
    return new BenchSettings(scale, options(jvm), options(small),
        Integer.getInteger("bench.coldStarts", 5),
        scaled(4_000, scale), scaled(2 * 2_500, scale), Duration.ofMillis(100), List.of(200, 1_000),
        scaled(1_000, scale), scaled(2_000, scale));
  }

  /** Requests of the warm-up before a concurrency phase: a few seconds' worth at the ideal rate. */
  int concurrentWarmup(int concurrency) {
    return scaled(Math.max(2_000, concurrency * 5), scale);
  }

  /** Requests measured in a concurrency phase: about ten seconds at the ideal rate. */
  int concurrentMeasured(int concurrency) {
    return scaled((int) Math.round(10 * ideal(concurrency, Targets.GRAPH_CALLS_PER_REQUEST)), scale);
  }

  /** Requests per second if nothing but Graph took time: C / (L × Graph round trips on the critical path). */
  double ideal(int concurrency, int roundTrips) {
    return concurrency / (graphLatency.toMillis() / 1000.0 * roundTrips);
  }

  /** Requests measured in the JFR allocation window. */
  int allocationMeasured() {
    return scaled(4_000, scale);
  }

  /**
   * Generated Cloud PCs needed: one per request of the whole run (the product's run, the two peers', the small-heap
   * run), with room to spare.
   */
  int cloudPcs() {
    int perConcurrency = concurrencies.stream().mapToInt(c -> concurrentWarmup(c) + concurrentMeasured(c) + c).sum();
    int allocation = concurrentWarmup(200) + allocationMeasured() + 200;
    return (int) (1.25 * (3 * coldStarts + sequentialWarmup + sequentialMeasured + 4 * perConcurrency + allocation
        + 100)) + 1_000;
  }

  JsonObject toJson() {
    return new JsonObject().put("scale", scale).put("productJvmOptions", String.join(" ", productJvmOptions))
        .put("smallJvmOptions", String.join(" ", smallJvmOptions))
        .put("coldStarts", coldStarts).put("sequentialWarmupRequests", sequentialWarmup)
        .put("sequentialMeasuredRequests", sequentialMeasured).put("graphLatencyMs", graphLatency.toMillis())
        .put("concurrencies", concurrencies).put("handoverWarmupPairs", handoverWarmup)
        .put("handoverMeasuredPairs", handoverMeasured);
  }

  private static List<String> options(String line) {
    return line.isEmpty() ? List.of() : Arrays.asList(line.split("\\s+"));
  }

  private static int scaled(int count, double scale) {
    return Math.max(1, (int) Math.round(count * scale));
  }
}
