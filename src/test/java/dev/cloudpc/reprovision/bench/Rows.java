package dev.cloudpc.reprovision.bench;

import io.vertx.core.json.JsonObject;
import java.util.List;

/** The headline figures of a run as table rows, each against the target where it sets one. */
final class Rows {
  private static final double ADDED_P50_MS = 0.2;
  private static final double ADDED_P99_MS = 3;
  private static final double CPU_PER_REQUEST_US = 150;
  private static final double FRACTION_OF_IDEAL_AT_200 = 0.95;
  static final int MAX_THREADS = 40;
  static final double MAX_RSS_MIB = 256;
  private static final double COLD_START_MS = 600;

  private Rows() {
  }

  static void fill(Report report, BenchSettings settings, JsonObject cold, SubjectRun productRun,
                   SideBySide.Peers peers, SubjectRun small, JsonObject handover, JsonObject unexpected) {
    ProductRun.Sequential sequential = productRun.sequential;
    List<ProductRun.Concurrent> concurrent = productRun.concurrent;
    JsonObject process = productRun.process;
    Latencies product = sequential.window().kinds().get(0).latencies;
    Latencies direct = sequential.window().kinds().get(1).latencies;
    String perSide = product.count() + " per side" + (product.count() < BenchSettings.MIN_SEQUENTIAL_PER_SIDE
        ? " (FEWER than " + BenchSettings.MIN_SEQUENTIAL_PER_SIDE + ": time limit)" : "");
    report.check("Added latency p50, L = 0, sequential, " + perSide,
        Report.format("%.3f ms (product %.3f − Graph directly %.3f)", sequential.addedP50Ms(),
            product.percentileMs(50), direct.percentileMs(50)), "≤ " + ADDED_P50_MS + " ms",
        sequential.addedP50Ms() <= ADDED_P50_MS);
    report.check("Added latency p99, L = 0, sequential",
        Report.format("%.3f ms (product %.3f − Graph directly %.3f)", sequential.addedP99Ms(),
            product.percentileMs(99), direct.percentileMs(99)), "≤ " + ADDED_P99_MS + " ms",
        sequential.addedP99Ms() <= ADDED_P99_MS);
    report.info("Graph calls per product request", Report.format("%.2f %s", sequential.graphCallsPerRequest(),
        sequential.productGraphCalls()));
    report.info("Product CPU per request, L = 0, sequential (JIT still compiling)",
        Report.format("%.0f µs", sequential.cpuPerRequestUs()));
    for (ProductRun.Concurrent phase : concurrent) {
      int c = phase.window().phase().concurrency();
      String at = "C = " + c + ", L = " + settings.graphLatency().toMillis() + " ms";
      String throughput = Report.format("%.0f/s = %.1f %% of ideal %.0f/s (%d requests in %.1f s)",
          phase.window().throughput(), 100 * phase.fractionOfIdeal(), phase.idealPerSecond(),
          phase.window().answered(), phase.window().seconds());
      if (c == 200) {
        report.check("Throughput, " + at, throughput, "≥ " + Math.round(FRACTION_OF_IDEAL_AT_200 * 100)
            + " % of ideal", phase.fractionOfIdeal() >= FRACTION_OF_IDEAL_AT_200);
      } else {
        report.info("Throughput, " + at, throughput);
      }
      report.info("Latency p50 / p99, " + at, Report.format("%.1f / %.1f ms (ideal %d ms); %d not 202",
          phase.latencies().percentileMs(50), phase.latencies().percentileMs(99),
          productRun.roundTrips * settings.graphLatency().toMillis(), phase.window().failed()));
      JsonObject cores = phase.coresUsed();
      report.info("Cores busy during the window, " + at, Report.format("product %.2f, fake tenant + load generator "
          + "%.2f, other processes %.2f — of %d", cores.getDouble("product"), cores.getDouble("benchJvm"),
          cores.getDouble("otherProcesses"), cores.getInteger("machineCores")));
      String cpu = Report.format("%.0f µs", phase.cpuPerRequestUs());
      String threads = Integer.toString(phase.peakThreads());
      String rss = Report.format("%.0f MiB", phase.peakRssMib());
      if (c == 1_000) {
        report.check("Product CPU per request, " + at, cpu, "≤ " + Math.round(CPU_PER_REQUEST_US) + " µs",
            phase.cpuPerRequestUs() <= CPU_PER_REQUEST_US);
        report.check("Peak threads, " + at, threads, "≤ " + MAX_THREADS, phase.peakThreads() <= MAX_THREADS);
        report.check("Peak RSS, " + at, rss, "≤ " + Math.round(MAX_RSS_MIB) + " MiB",
            phase.peakRssMib() <= MAX_RSS_MIB);
      } else {
        report.info("Product CPU per request, " + at, cpu);
        report.info("Peak threads / RSS, " + at, threads + " / " + rss);
      }
    }
    report.info("Peak threads / RSS (VmHWM) over the whole product run", Report.format("%d / %.0f MiB",
        process.getInteger("peakThreads"), process.getDouble("vmHwmMib")));
    JsonObject productCold = cold.getJsonObject("product");
    double coldMs = productCold.getDouble("medianLaunchToFirst202Ms");
    report.check("Cold start, launch → first 202, median of " + productCold.getInteger("launches"),
        Report.format("%.0f ms (launch → READY %.0f ms)", coldMs, productCold.getDouble("medianLaunchToReadyMs")),
        "≤ " + Math.round(COLD_START_MS) + " ms", coldMs <= COLD_START_MS);
    int tokens = process.getInteger("graphTokenRequests");
    report.check("Graph token requests during the product run",
        Report.format("%d in %.0f s (token lifetime %d s)", tokens, process.getDouble("runSeconds"),
            process.getLong("tokenLifetimeSeconds")), "1 per token lifetime", tokens == 1);
    report.info("JWKS requests during the product run", Integer.toString(process.getInteger("jwksRequests")));
    JsonObject function = handover.getJsonObject("throughFunction");
    JsonObject straight = handover.getJsonObject("routerPortDirectly");
    report.info("Functions hand-over added p50 / p99 (GET /api/health, " + handover.getInteger("measuredPairs")
        + " pairs)", "%s / %s ms (through the function %s / %s, router port directly %s / %s); %d answers lost"
        .formatted(ms(handover, "addedP50Ms"), ms(handover, "addedP99Ms"), ms(function, "p50Ms"),
            ms(function, "p99Ms"), ms(straight, "p50Ms"), ms(straight, "p99Ms"),
            handover.getInteger("lostHandoverAnswers")));
    SideBySide.fill(report, settings, cold, productRun, peers, small);
    report.info("Unexpected answers (whole run)", unexpected.getJsonObject("byKind").encode());
  }

  private static String ms(JsonObject figures, String key) {
    Double value = figures.getDouble(key);
    return value == null ? "n/a" : Report.format("%.3f", value);
  }
}
