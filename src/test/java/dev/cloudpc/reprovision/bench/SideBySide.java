package dev.cloudpc.reprovision.bench;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * Issue 14's rows: the product side by side with the peers in the same run — the Graph-SDK peer, which the issue's
 * targets name, and the JDK-only one, the lightest thread-per-request function (an honest lower bound) — the product
 * under a 512 MB instance's heap, and allocation per request.
 */
final class SideBySide {
  private static final double P50_AT_200_MS = 230;
  private static final double SMALL_FRACTION_OF_IDEAL = 0.90;

  /** The two peers; targets are checked against {@code sdk}, ratios to {@code jdk} are shown beside them. */
  record Peers(SubjectRun sdk, SubjectRun jdk) {
  }

  private SideBySide() {
  }

  static void fill(Report report, BenchSettings settings, JsonObject cold, SubjectRun product, Peers peers,
                   SubjectRun small) {
    long latency = settings.graphLatency().toMillis();
    String at = ", L = " + latency + " ms";
    SubjectRun sdk = peers.sdk();
    SubjectRun jdk = peers.jdk();
    report.info("Graph round trips on the critical path (fastest at C = 1 ÷ L), product / SDK peer / JDK peer",
        product.roundTrips + " / " + sdk.roundTrips + " / " + jdk.roundTrips);
    ProductRun.Concurrent p200 = product.at(200);
    ProductRun.Concurrent sdk200 = sdk.at(200);
    ProductRun.Concurrent jdk200 = jdk.at(200);
    double p50 = p200.latencies().percentileMs(50);
    report.check("Latency p50 at C = 200" + at + ", product (SDK peer, JDK peer)", Report.format("%.1f ms (%.1f ms, "
            + "%.1f ms)", p50, sdk200.latencies().percentileMs(50), jdk200.latencies().percentileMs(50)),
        "≤ " + Math.round(P50_AT_200_MS) + " ms", p50 <= P50_AT_200_MS);
    report.info("Throughput at C = 200, % of ideal per Graph round trip, product / SDK peer / JDK peer",
        Report.format("%.1f %% / %.1f %% / %.1f %% (%.0f/s / %.0f/s / %.0f/s)", 100 * p200.fractionOfIdeal(),
            100 * sdk200.fractionOfIdeal(), 100 * jdk200.fractionOfIdeal(), p200.window().throughput(),
            sdk200.window().throughput(), jdk200.window().throughput()));
    ProductRun.Concurrent p1000 = product.at(1_000);
    ProductRun.Concurrent sdk1000 = sdk.at(1_000);
    ProductRun.Concurrent jdk1000 = jdk.at(1_000);
    double cpu = p1000.cpuPerRequestUs();
    String ratio = "%.0f µs / %.0f µs (%.2f×)";
    report.check("CPU per request at C = 1000" + at + ", product / SDK peer", Report.format(ratio, cpu,
            sdk1000.cpuPerRequestUs(), cpu / sdk1000.cpuPerRequestUs()), "≤ 0.5× the SDK peer's",
        cpu <= 0.5 * sdk1000.cpuPerRequestUs());
    report.info("CPU per request at C = 1000" + at + ", product / JDK peer", Report.format(ratio, cpu,
        jdk1000.cpuPerRequestUs(), cpu / jdk1000.cpuPerRequestUs()));
    report.info("Threads / RSS at C = 1000" + at + ", product — SDK peer — JDK peer", String.join(" — ",
        threadsAndRss(p1000), threadsAndRss(sdk1000), threadsAndRss(jdk1000)));
    JsonObject sdkCold = cold.getJsonObject(sdk.name);
    double productCold = cold.getJsonObject(product.name).getDouble("medianLaunchToFirst202Ms");
    double sdkColdMs = sdkCold.getDouble("medianLaunchToFirst202Ms");
    double jdkColdMs = cold.getJsonObject(jdk.name).getDouble("medianLaunchToFirst202Ms");
    report.check("Cold start, launch → first 2xx, median of " + sdkCold.getInteger("launches")
            + ", product / SDK peer", Report.format("%.0f ms / %.0f ms (%.2f×)", productCold, sdkColdMs,
            productCold / sdkColdMs), "≤ the SDK peer's", productCold <= sdkColdMs);
    report.info("Cold start, launch → first 2xx, product / JDK peer", Report.format("%.0f ms / %.0f ms (%.2f×)",
        productCold, jdkColdMs, productCold / jdkColdMs));

    ProductRun.Concurrent s1000 = small.at(1_000);
    String name = small.name;
    report.check("Throughput at C = 1000" + at + ", " + name, Report.format("%.1f %% of ideal (%.0f/s), %d not 202",
            100 * s1000.fractionOfIdeal(), s1000.window().throughput(), s1000.window().failed()),
        "≥ " + Math.round(100 * SMALL_FRACTION_OF_IDEAL) + " %, no errors",
        s1000.fractionOfIdeal() >= SMALL_FRACTION_OF_IDEAL && s1000.window().failed() == 0);
    report.check("Peak RSS / threads at C = 1000, " + name, Report.format("%.0f MiB / %d (CPU %.0f µs/request)",
            s1000.peakRssMib(), s1000.peakThreads(), s1000.cpuPerRequestUs()),
        "≤ " + Math.round(Rows.MAX_RSS_MIB) + " MiB, ≤ " + Rows.MAX_THREADS,
        s1000.peakRssMib() <= Rows.MAX_RSS_MIB && s1000.peakThreads() <= Rows.MAX_THREADS);

    JsonObject allocation = product.allocation;
    report.info("Allocation per request (JFR, C = 200" + at + ", product)", Report.format("%.0f KiB; top product "
        + "frames: %s", allocation.getDouble("bytesPerRequest") / 1024, heaviest(allocation)));
  }

  private static String threadsAndRss(ProductRun.Concurrent phase) {
    return Report.format("%d / %.0f MiB (%.1f %% of ideal, %d not 2xx)", phase.peakThreads(), phase.peakRssMib(),
        100 * phase.fractionOfIdeal(), phase.window().failed());
  }

  private static String heaviest(JsonObject allocation) {
    JsonArray top = allocation.getJsonArray("byFirstProductFrame");
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < Math.min(4, top.size()); i++) {
      JsonObject entry = top.getJsonObject(i);
      String where = entry.getString("where");
      out.append(i == 0 ? "" : ", ").append(where.substring(where.lastIndexOf('.', where.lastIndexOf('.') - 1) + 1))
          .append(Report.format(" %.0f %%", 100 * entry.getDouble("share")));
    }
    return out.toString();
  }
}
