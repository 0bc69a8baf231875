package dev.cloudpc.reprovision.bench;

import dev.cloudpc.reprovision.sandbox.GraphLimits;
import dev.cloudpc.reprovision.sandbox.SandboxOptions;
import dev.cloudpc.reprovision.sandbox.SandboxTenant;
import dev.cloudpc.reprovision.support.Await;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * CPU per request at C = 1,000, L = 100 ms of two jars, alternately, each round a fresh process of each against the
 * same fake tenant and client: the machine's drift between whole bench runs (±10 % here) falls on both. Each process
 * runs two windows; the second is the figure (the first warms the JIT).
 *
 * <p>{@code java -cp <bench classpath> dev.cloudpc.reprovision.bench.CpuPerRequestAb <jar A> <jar B> <rounds>}, the
 * classpath as {@code mvn -Pbench dependency:build-classpath -Dmdep.includeScope=test} gives it, plus target/classes,
 * target/local-classes and target/test-classes.
 */
public final class CpuPerRequestAb {
  private static final Duration LIMIT = Duration.ofSeconds(60);

  private CpuPerRequestAb() {
  }

  public static void main(String[] args) {
    List<String> jars = List.of(args[0], args[1]);
    int rounds = Integer.parseInt(args[2]);
    BenchSettings settings = BenchSettings.fromSystemProperties();
    Vertx vertx = Vertx.vertx();
    Vertx loadVertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1));
    int perWindow = settings.concurrentWarmup(1000) + settings.concurrentMeasured(1000) + 1000;
    SandboxTenant tenant = Await.await(SandboxTenant.start(vertx, SandboxOptions.defaults()
        .withGraphLimits(GraphLimits.generous()).withExtraCloudPcs(perWindow * 2 * jars.size() * rounds)), LIMIT);
    tenant.graph().recordRequests(false);
    BenchClient client = new BenchClient(loadVertx, 1_100);
    Targets targets = new Targets(client, tenant, Await.await(GraphToken.fetch(vertx, tenant), LIMIT));
    for (int round = 1; round <= rounds; round++) {
      for (String jar : jars) {
        try (ProductProcess process = Subject.product("ab", Path.of(jar), settings.productJvmOptions())
                 .launch(tenant.environment(), Path.of("target", "cpu-ab.log"));
             PeakSampler sampler = new PeakSampler(new ProcStats(process.pid()))) {
          process.awaitReady(LIMIT);
          ProductRun run = new ProductRun(client, targets, tenant.graph(), process.port(),
              new ProcStats(process.pid()), sampler, settings);
          double warming = run.concurrent(1000, Targets.GRAPH_CALLS_PER_REQUEST).cpuPerRequestUs();
          ProductRun.Concurrent warm = run.concurrent(1000, Targets.GRAPH_CALLS_PER_REQUEST);
          System.out.printf("round %d  %s  %.0f µs/request (first window %.0f), %.0f/s%n", round, jar,
              warm.cpuPerRequestUs(), warming, warm.window().throughput());
        }
      }
    }
    System.exit(0);
  }
}
