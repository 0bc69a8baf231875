package dev.cloudpc.reprovision.bench;

import dev.cloudpc.reprovision.config.UserAgent;
import dev.cloudpc.reprovision.sandbox.RecordedRequest;
import dev.cloudpc.reprovision.sandbox.SandboxGraph;
import dev.cloudpc.reprovision.support.Await;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** The measured phases against one long-running product process: the sequential comparison, then each concurrency. */
final class ProductRun {
  private static final Duration PHASE_LIMIT = Duration.ofMinutes(4);

  /** Added latency at L = 0: product percentile minus the same percentile of the direct Graph calls. */
  record Sequential(ClosedLoop.Window window, double addedP50Ms, double addedP99Ms, double graphCallsPerRequest,
                    Map<String, Long> productGraphCalls, double cpuPerRequestUs, JsonObject coresUsed) {
    JsonObject toJson() {
      return window.toJson()
          .put("addedP50Ms", Report.round(addedP50Ms)).put("addedP99Ms", Report.round(addedP99Ms))
          .put("addedHow", "p50(product) - p50(graph directly) and p99(product) - p99(graph directly), each side's "
              + "percentile over its own requests of the same interleaved window")
          .put("graphCallsPerProductRequest", Report.round(graphCallsPerRequest))
          .put("productGraphCalls", new JsonObject(Map.copyOf(productGraphCalls)))
          .put("productCpuPerRequestUs", Report.round(cpuPerRequestUs)).put("coresUsed", coresUsed);
    }
  }

  /** One concurrency phase at Graph latency L. */
  record Concurrent(ClosedLoop.Window window, double idealPerSecond, double cpuPerRequestUs, JsonObject coresUsed,
                    int peakThreads, double peakRssMib) {
    double fractionOfIdeal() {
      return window.throughput() / idealPerSecond;
    }

    Latencies latencies() {
      return window.kinds().get(0).latencies;
    }

    JsonObject toJson() {
      return window.toJson().put("idealPerSecond", Report.round(idealPerSecond))
          .put("fractionOfIdeal", Report.round(fractionOfIdeal()))
          .put("productCpuPerRequestUs", Report.round(cpuPerRequestUs)).put("coresUsed", coresUsed)
          .put("peakThreads", peakThreads).put("peakRssMib", Report.round(peakRssMib));
    }
  }

  private final Vertx loopVertx;
  private final Context loop;
  private final Targets targets;
  private final SandboxGraph graph;
  private final int port;
  private final ProcStats stats;
  private final PeakSampler sampler;
  private final BenchSettings settings;

  ProductRun(BenchClient client, Targets targets, SandboxGraph graph, int port, ProcStats stats, PeakSampler sampler,
             BenchSettings settings) {
    this.loop = client.context();
    this.loopVertx = loop.owner();
    this.targets = targets;
    this.graph = graph;
    this.port = port;
    this.stats = stats;
    this.sampler = sampler;
    this.settings = settings;
  }

  Sequential sequential() {
    graph.setLatency(Duration.ZERO);
    ClosedLoop.Kind product = new ClosedLoop.Kind("product", () -> targets.reprovision(port));
    ClosedLoop.Kind direct = new ClosedLoop.Kind("graph directly", targets::graphDirectly);
    // Record Graph requests only inside the window, to check how many calls a product request makes.
    WindowProbe probe = new WindowProbe(loopVertx, stats, () -> {
      graph.reset();
      graph.recordRequests(true);
    }, () -> graph.recordRequests(false));
    ClosedLoop.Window window = Await.await(ClosedLoop.run(loop, new ClosedLoop.Phase("sequential, L = 0", 1,
        settings.sequentialWarmup(), Duration.ofSeconds(60), settings.sequentialMeasured(), Duration.ofSeconds(120)),
        List.of(product, direct), probe), PHASE_LIMIT);
    Map<String, Long> calls = productGraphCalls(graph.requests());
    graph.reset(); // drop the recordings
    long productRequests = product.latencies.count();
    return new Sequential(window,
        product.latencies.percentileMs(50) - direct.latencies.percentileMs(50),
        product.latencies.percentileMs(99) - direct.latencies.percentileMs(99),
        calls.values().stream().mapToLong(Long::longValue).sum() / (double) productRequests, calls,
        probe.productCpuSeconds() * 1e6 / productRequests, probe.coresUsed(window.seconds()));
  }

  /**
   * Graph round trips on the critical path, measured rather than assumed: the fastest of 20 requests, one at a time
   * with Graph latency L, divided by L and rounded (reads in parallel count once; the minimum resists a busy box).
   */
  int criticalPathRoundTrips() {
    graph.setLatency(settings.graphLatency());
    ClosedLoop.Kind product = new ClosedLoop.Kind("product", () -> targets.reprovision(port));
    Await.await(ClosedLoop.run(loop, new ClosedLoop.Phase("critical path, C = 1", 1, 5, Duration.ofSeconds(15),
        20, Duration.ofSeconds(30)), List.of(product), new WindowProbe(loopVertx, stats)), PHASE_LIMIT);
    return (int) Math.max(1, Math.round(product.latencies.percentileMs(0) / settings.graphLatency().toMillis()));
  }

  Concurrent concurrent(int concurrency, int roundTrips) {
    return concurrent(concurrency, roundTrips, settings.concurrentMeasured(concurrency), () -> { }, () -> { });
  }

  /**
   * Allocation per request: a C = 200 window recorded with JFR (started and stopped by jcmd at the window's edges;
   * the in-flight requests at the close edge are counted in, see {@link AllocationRecording}).
   */
  JsonObject allocation(AllocationRecording recording) {
    int concurrency = 200;
    Concurrent phase = concurrent(concurrency, 1, settings.allocationMeasured(), recording::start, recording::stop);
    return recording.summary(phase.window().answered() + concurrency);
  }

  private Concurrent concurrent(int concurrency, int roundTrips, int measured, Runnable atOpen, Runnable atClose) {
    graph.setLatency(settings.graphLatency());
    sampler.reset();
    WindowProbe probe = new WindowProbe(loopVertx, stats, atOpen, atClose);
    ClosedLoop.Kind product = new ClosedLoop.Kind("product", () -> targets.reprovision(port));
    ClosedLoop.Window window = Await.await(ClosedLoop.run(loop, new ClosedLoop.Phase("C = " + concurrency,
            concurrency, settings.concurrentWarmup(concurrency), Duration.ofSeconds(15),
            measured, Duration.ofSeconds(25)), List.of(product), probe),
        PHASE_LIMIT);
    return new Concurrent(window, settings.ideal(concurrency, roundTrips),
        probe.productCpuSeconds() * 1e6 / window.answered(), probe.coresUsed(window.seconds()),
        sampler.peakThreads(), sampler.peakRssKib() / 1024.0);
  }

  /** The product's Graph calls by kind (it names itself in User-Agent; the bench's baseline calls do not count). */
  private static Map<String, Long> productGraphCalls(List<RecordedRequest> requests) {
    Map<String, Long> byKind = new TreeMap<>();
    for (RecordedRequest request : requests) {
      if (UserAgent.VALUE.equals(request.header("user-agent"))) {
        byKind.merge(kind(request), 1L, Long::sum);
      }
    }
    return byKind;
  }

  private static String kind(RecordedRequest request) {
    String path = request.path();
    if (path.endsWith("/retrieveCloudPcRemoteActionResults")) {
      return "GET retrieveCloudPcRemoteActionResults";
    }
    if (path.endsWith("/reprovision")) {
      return request.method() + " reprovision";
    }
    return path.matches(".*/cloudPCs/[^/]+") ? request.method() + " cloudPC" : request.method() + " " + path;
  }
}
