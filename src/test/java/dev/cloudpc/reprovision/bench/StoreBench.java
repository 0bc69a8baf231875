package dev.cloudpc.reprovision.bench;

import dev.cloudpc.reprovision.sandbox.GraphLimits;
import dev.cloudpc.reprovision.sandbox.SandboxOptions;
import dev.cloudpc.reprovision.sandbox.SandboxSeed;
import dev.cloudpc.reprovision.sandbox.SandboxTenant;
import dev.cloudpc.reprovision.support.Await;
import dev.cloudpc.reprovision.support.Azurite;
import dev.cloudpc.reprovision.support.TestStack;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;

/**
 * What the shared store adds to one reprovision: the same sequential reprovisions (a different Cloud PC each) through
 * an app with the in-memory store and through one with Azure Table Storage (Azurite on loopback), p50 and p95 of the
 * caller's latency. Run after {@code mvn -B verify} (which installs Azurite):
 * {@code java -cp "$(cat target/test-classpath.txt):target/classes:target/test-classes" -Dazurite.dir=target/azurite
 * dev.cloudpc.reprovision.bench.StoreBench [requests]}.
 */
public final class StoreBench {
  private StoreBench() {
  }

  public static void main(String[] args) {
    int requests = args.length > 0 ? Integer.parseInt(args[0]) : 300;
    int warmup = requests / 3;
    Vertx vertx = Vertx.vertx();
    Azurite azurite = Azurite.shared();
    SandboxTenant tenant = Await.await(SandboxTenant.start(vertx, SandboxOptions.defaults().withGraphLimits(GraphLimits.generous())
        .withRebuildTime(Duration.ofMinutes(10)).withExtraCloudPcs(2 * (requests + warmup))));
    tenant.graph().recordRequests(false);
    TestStack memory = TestStack.start(vertx, tenant, Map.of());
    TestStack table = TestStack.start(vertx, tenant, Map.of("AzureWebJobsStorage", azurite.connectionString(),
        "REPROVISION_STATE_TABLE", "bench" + System.nanoTime()));
    String token = memory.adminToken();
    int next = 0;
    run(memory, token, next, warmup);
    next += warmup;
    run(table, token, next, warmup);
    next += warmup;
    long[] inMemory = run(memory, token, next, requests);
    next += requests;
    long[] inTable = run(table, token, next, requests);
    System.out.printf("reprovision latency over %d sequential requests (ms): memory p50 %.2f p95 %.2f | "
            + "Azure Table (Azurite) p50 %.2f p95 %.2f | store adds p50 %.2f%n", requests,
        p(inMemory, 50), p(inMemory, 95), p(inTable, 50), p(inTable, 95), p(inTable, 50) - p(inMemory, 50));
    table.close();
    Await.await(memory.app.close().compose(v -> vertx.close()));
    azurite.stop();
  }

  private static long[] run(TestStack stack, String token, int firstPc, int count) {
    long[] nanos = new long[count];
    Future<Void> chain = Future.succeededFuture();
    for (int i = 0; i < count; i++) {
      int index = i;
      String pc = SandboxSeed.extraCloudPcId(firstPc + i);
      chain = chain.compose(v -> {
        long start = System.nanoTime();
        return stack.post("/api/cloudpcs/" + pc + "/reprovision", token).map(response -> {
          if (response.statusCode() != 202) {
            throw new IllegalStateException(response.statusCode() + " " + response.bodyAsString());
          }
          nanos[index] = System.nanoTime() - start;
          return null;
        });
      });
    }
    Await.await(chain);
    return nanos;
  }

  private static double p(long[] nanos, int percentile) {
    long[] sorted = nanos.clone();
    Arrays.sort(sorted);
    return sorted[Math.min(sorted.length - 1, sorted.length * percentile / 100)] / 1e6;
  }
}
