package dev.cloudpc.reprovision.bench;

import io.vertx.core.json.JsonObject;
import java.util.Arrays;

/** Recorded latencies of one phase (nanoseconds, in a plain growable array: no histogram library needed). */
final class Latencies {
  private long[] samples = new long[4096];
  private int size;

  synchronized void add(long nanos) {
    if (size == samples.length) {
      samples = Arrays.copyOf(samples, size * 2);
    }
    samples[size++] = nanos;
  }

  synchronized int count() {
    return size;
  }

  /** Nearest-rank percentile in milliseconds; NaN when nothing was recorded. */
  synchronized double percentileMs(double percentile) {
    if (size == 0) {
      return Double.NaN;
    }
    long[] sorted = Arrays.copyOf(samples, size);
    Arrays.sort(sorted);
    int rank = (int) Math.ceil(percentile / 100.0 * size);
    return sorted[Math.max(0, Math.min(size - 1, rank - 1))] / 1e6;
  }

  synchronized double meanMs() {
    return size == 0 ? Double.NaN : Arrays.stream(samples, 0, size).average().orElse(Double.NaN) / 1e6;
  }

  JsonObject toJson() {
    return new JsonObject().put("count", count()).put("p50Ms", Report.round(percentileMs(50)))
        .put("p90Ms", Report.round(percentileMs(90))).put("p99Ms", Report.round(percentileMs(99)))
        .put("maxMs", Report.round(percentileMs(100))).put("meanMs", Report.round(meanMs()));
  }
}
