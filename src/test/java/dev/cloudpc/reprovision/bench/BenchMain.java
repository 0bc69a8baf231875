package dev.cloudpc.reprovision.bench;

import dev.cloudpc.reprovision.sandbox.SandboxIdentity;
import dev.cloudpc.reprovision.sandbox.GraphLimits;
import dev.cloudpc.reprovision.sandbox.SandboxOptions;
import dev.cloudpc.reprovision.sandbox.SandboxTenant;
import dev.cloudpc.reprovision.support.Await;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The benchmark (issue 8): {@code mvn -B -q -Pbench -DskipTests package}. The fake tenant (identity + Graph) and the
 * load generator run in this JVM; the product runs as its own process from the built jar, measured through /proc.
 * Phases: cold starts, added latency at L = 0 (sequential), throughput at C = 200 and 1,000 with L = 100 ms, the
 * Functions hand-over; then the wave against Graph's documented Windows 365 limits ({@link WaveBench}).
 * {@code -Dbench.scenario=throughput} or {@code =wave} runs one part alone. Writes {@code <out>/results.json} and prints
 * a markdown table against the targets.
 *
 * <p>Arguments: the product jar, the output folder.
 */
public final class BenchMain {
  static final String COMMAND = "mvn -B -q -Pbench -DskipTests package";
  private static final Duration START_LIMIT = Duration.ofSeconds(60);
  private static final int MAX_CLIENT_CONNECTIONS = 1_100;

  private BenchMain() {
  }

  public static void main(String[] args) throws Exception {
    Path jar = Path.of(args.length > 0 ? args[0] : "target/reprovision-local.jar");
    Path out = Path.of(args.length > 1 ? args[1] : "target/bench");
    Files.createDirectories(out);
    BenchSettings settings = BenchSettings.fromSystemProperties();
    Vertx vertx = Vertx.vertx();
    // The load generator: one event loop, so its cost per request is small and the same for every phase.
    Vertx loadVertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1));
    int exit = 0;
    String scenario = System.getProperty("bench.scenario", "all");
    try {
      Report report = new Report();
      report.put("command", COMMAND);
      report.put("machine", Machine.describe());
      report.put("scenario", scenario);
      if (!scenario.equals("wave")) {
        run(report, jar, out, settings, vertx, loadVertx);
      }
      if (!scenario.equals("throughput")) {
        wave(report, jar, out, settings, vertx, loadVertx);
      }
      report.write(out.resolve("results.json"));
      System.out.println(report.markdown());
      System.out.println("Full results: " + out.resolve("results.json"));
    } catch (RuntimeException e) {
      System.err.println("BENCH FAILED: " + e);
      e.printStackTrace();
      exit = 1;
    } finally {
      Await.await(loadVertx.close(), START_LIMIT);
      Await.await(vertx.close(), START_LIMIT);
    }
    System.exit(exit);
  }

  /**
   * The wave (Graph's Windows 365 budget, not CPU, is the resource): on one instance, then on several sharing
   * storage, each against a fake Graph that enforces the documented limits.
   */
  private static void wave(Report report, Path jar, Path out, BenchSettings settings, Vertx vertx, Vertx loadVertx) {
    requireJar(jar);
    WaveSettings wave = WaveSettings.fromSystemProperties();
    WaveBench bench = new WaveBench(jar, out, wave, settings.productJvmOptions());
    JsonArray runs = new JsonArray();
    for (int instances : wave.instances()) {
      progress("wave: " + wave.pcs() + " flows, " + wave.inFlight() + " at a time, " + instances + " instance(s)");
      JsonObject run = bench.run(vertx, loadVertx, instances);
      runs.add(run);
      WaveRows.add(report, wave, run);
    }
    report.put("wave", new JsonObject().put("settings", wave.toJson()).put("runs", runs));
  }

  private static void requireJar(Path jar) {
    if (!Files.isRegularFile(jar)) {
      throw new IllegalStateException(jar + " does not exist; build it with mvn package first");
    }
  }

  private static void run(Report report, Path jar, Path out, BenchSettings settings, Vertx vertx, Vertx loadVertx) {
    requireJar(jar);
    report.put("settings", settings.toJson());
    SandboxTenant tenant = Await.await(SandboxTenant.start(vertx,
        SandboxOptions.defaults().withGraphLimits(GraphLimits.generous()).withExtraCloudPcs(settings.cloudPcs())), START_LIMIT);
    tenant.graph().recordRequests(false);
    BenchClient client = new BenchClient(loadVertx, MAX_CLIENT_CONNECTIONS);
    Targets targets = new Targets(client, tenant, Await.await(GraphToken.fetch(vertx, tenant), START_LIMIT));

    Subject product = Subject.product("product", jar, settings.productJvmOptions());
    Subject peer = Subject.peer();
    Subject sdkPeer = Subject.sdkPeer();
    Subject small = Subject.product("product " + String.join(" ", settings.smallJvmOptions()), jar,
        settings.smallJvmOptions());
    progress("cold starts (" + settings.coldStarts() + " fresh processes each, product, JDK peer and SDK peer in "
        + "turn)");
    SandboxIdentity identity = tenant.identity();
    int tokensBefore = identity.tokenRequests();
    JsonObject cold = ColdStart.measure(settings.coldStarts(), List.of(product, peer, sdkPeer), tenant.environment(),
        targets, out);
    report.put("coldStart", cold.put("tokenRequests", identity.tokenRequests() - tokensBefore));

    SubjectRun productRun = measure(product, tenant, client, targets, settings, out, (run, process, result) -> {
      progress("sequential comparison at L = 0");
      result.sequential = run.sequential();
      concurrencies(run, settings, result);
      progress("allocation per request (JFR, C = 200)");
      result.allocation = run.allocation(new AllocationRecording(process.pid(), out.resolve("allocation.jfr")));
    });
    SubjectRun peerRun = measure(peer, tenant, client, targets, settings, out,
        (run, process, result) -> concurrencies(run, settings, result));
    SubjectRun sdkPeerRun = measure(sdkPeer, tenant, client, targets, settings, out,
        (run, process, result) -> concurrencies(run, settings, result));
    SubjectRun smallRun = measure(small, tenant, client, targets, settings, out, (run, process, result) -> {
      result.roundTrips = productRun.roundTrips;
      progress(small.name() + ": C = 1000");
      result.concurrent.add(run.concurrent(1_000, result.roundTrips));
    });
    report.put("process", productRun.process);
    report.put("sequential", productRun.sequential.toJson());
    report.put("concurrency", productRun.concurrencyJson());
    report.put("allocation", productRun.allocation);
    report.put("peer", peerRun.toJson());
    report.put("sdkPeer", sdkPeerRun.toJson());
    report.put("smallHeap", smallRun.toJson());

    progress("Functions hand-over");
    JsonObject handover = HandoverBench.measure(vertx, tenant, client, settings.handoverWarmup(),
        settings.handoverMeasured(), Duration.ofSeconds(60));
    report.put("handover", handover);
    report.put("unexpectedAnswers", client.unexpectedAnswers());
    report.put("cloudPcsUsed", targets.cloudPcsUsed());
    Rows.fill(report, settings, cold, productRun, new SideBySide.Peers(sdkPeerRun, peerRun), smallRun, handover,
        client.unexpectedAnswers());
  }

  /** The phases one launched process goes through; they fill {@code result}. */
  private interface Phases {
    void run(ProductRun run, ProductProcess process, SubjectRun result);
  }

  /** Launches {@code subject}, runs {@code phases} against it and reads its whole-run figures before stopping it. */
  private static SubjectRun measure(Subject subject, SandboxTenant tenant, BenchClient client, Targets targets,
                                    BenchSettings settings, Path out, Phases phases) {
    SandboxIdentity identity = tenant.identity();
    SubjectRun result = new SubjectRun(subject.name());
    int tokens0 = identity.tokenRequests();
    int jwks0 = identity.jwksRequests();
    long started = System.nanoTime();
    try (ProductProcess process = subject.launch(tenant.environment(),
        out.resolve(subject.name().replaceAll("[^A-Za-z0-9]+", "-") + ".log"));
         PeakSampler overall = new PeakSampler(new ProcStats(process.pid()));
         PeakSampler perPhase = new PeakSampler(new ProcStats(process.pid()))) {
      process.awaitReady(START_LIMIT);
      ProcStats stats = new ProcStats(process.pid());
      phases.run(new ProductRun(client, targets, tenant.graph(), process.port(), stats, perPhase, settings), process,
          result);
      ProcStats.Snapshot end = stats.read();
      result.process.put("peakThreads", overall.peakThreads())
          .put("peakRssMibSampled", Report.round(overall.peakRssKib() / 1024.0))
          .put("vmHwmMib", Report.round(end.peakRssKib() / 1024.0))
          .put("cpuSecondsTotal", Report.round(end.cpuSeconds()))
          .put("runSeconds", Report.round((System.nanoTime() - started) / 1e9))
          .put("graphTokenRequests", identity.tokenRequests() - tokens0)
          .put("jwksRequests", identity.jwksRequests() - jwks0)
          .put("tokenLifetimeSeconds", identity.tokenLifetime().toSeconds())
          .put("loadAverageAtEnd", Machine.loadAverage());
    }
    return result;
  }

  private static void concurrencies(ProductRun run, BenchSettings settings, SubjectRun result) {
    result.roundTrips = run.criticalPathRoundTrips();
    for (int c : settings.concurrencies()) {
      progress(result.name + ": C = " + c + ", L = " + settings.graphLatency().toMillis() + " ms");
      result.concurrent.add(run.concurrent(c, result.roundTrips));
    }
  }

  private static void progress(String phase) {
    System.err.println("[bench] " + phase + " (load " + Machine.loadAverage() + ")");
  }
}
