package dev.cloudpc.reprovision.bench;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * Issue 14's rows: the product side by side with the thread-per-request peer (one Graph call per request) in the same
 * run, the product under a 512 MB instance's heap, and allocation per request.
 */
final class SideBySide {
  private static final double P50_AT_200_MS = 230;
  private static final double SMALL_FRACTION_OF_IDEAL = 0.90;

  private SideBySide() {
  }

  static void fill(Report report, BenchSettings settings, JsonObject cold, SubjectRun product, SubjectRun peer,
                   SubjectRun small) {
    long latency = settings.graphLatency().toMillis();
    String at = ", L = " + latency + " ms";
    report.info("Graph round trips on the critical path (fastest at C = 1 ÷ L), product / peer",
        product.roundTrips + " / " + peer.roundTrips);
    ProductRun.Concurrent p200 = product.at(200);
    ProductRun.Concurrent q200 = peer.at(200);
    double p50 = p200.latencies().percentileMs(50);
    report.check("Latency p50 at C = 200" + at + ", product (peer)", Report.format("%.1f ms (peer %.1f ms)", p50,
        q200.latencies().percentileMs(50)), "≤ " + Math.round(P50_AT_200_MS) + " ms", p50 <= P50_AT_200_MS);
    report.info("Throughput at C = 200, % of ideal per Graph round trip, product / peer",
        Report.format("%.1f %% / %.1f %% (%.0f/s / %.0f/s)", 100 * p200.fractionOfIdeal(),
            100 * q200.fractionOfIdeal(), p200.window().throughput(), q200.window().throughput()));
    ProductRun.Concurrent p1000 = product.at(1_000);
    ProductRun.Concurrent q1000 = peer.at(1_000);
    report.check("CPU per request at C = 1000" + at + ", product / peer", Report.format("%.0f µs / %.0f µs "
            + "(%.2f×)", p1000.cpuPerRequestUs(), q1000.cpuPerRequestUs(),
            p1000.cpuPerRequestUs() / q1000.cpuPerRequestUs()), "≤ 0.5× the peer's",
        p1000.cpuPerRequestUs() <= 0.5 * q1000.cpuPerRequestUs());
    report.info("Threads / RSS at C = 1000" + at + ", product / peer", Report.format("%d / %.0f MiB — %d / %.0f MiB "
            + "(peer %.1f %% of ideal, %d not 2xx)", p1000.peakThreads(), p1000.peakRssMib(), q1000.peakThreads(),
        q1000.peakRssMib(), 100 * q1000.fractionOfIdeal(), q1000.window().failed()));
    double productCold = cold.getJsonObject("product").getDouble("medianLaunchToFirst202Ms");
    double peerCold = cold.getJsonObject("peer").getDouble("medianLaunchToFirst202Ms");
    report.check("Cold start, launch → first 2xx, median of " + cold.getJsonObject("peer").getInteger("launches")
            + ", product / peer", Report.format("%.0f ms / %.0f ms (%.2f×)", productCold, peerCold,
            productCold / peerCold), "≤ the peer's", productCold <= peerCold);

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
