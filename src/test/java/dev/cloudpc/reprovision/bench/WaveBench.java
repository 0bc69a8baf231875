package dev.cloudpc.reprovision.bench;

import dev.cloudpc.reprovision.sandbox.GraphLimits;
import dev.cloudpc.reprovision.sandbox.RecordedRequest;
import dev.cloudpc.reprovision.sandbox.SandboxOptions;
import dev.cloudpc.reprovision.sandbox.SandboxSeed;
import dev.cloudpc.reprovision.sandbox.SandboxTenant;
import dev.cloudpc.reprovision.sandbox.TokenVersion;
import dev.cloudpc.reprovision.support.Await;
import dev.cloudpc.reprovision.support.Azurite;
import io.vertx.core.MultiMap;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.IntStream;

/**
 * The wave scenario: flows reprovision {@link WaveSettings#pcs()} Cloud PCs at once against a fake Graph enforcing
 * Windows 365's documented limits (Get Cloud PC 270 and List Cloud PCs 90 per 60 s per app), on one product instance
 * or several sharing one storage account (Azurite). Measured: how long until every flow has its answer, what the
 * flows saw, every Graph request the product sent (by kind) and how many Graph throttled, and whether each Cloud PC
 * was rebuilt exactly once.
 */
final class WaveBench {
  private static final Duration START_LIMIT = Duration.ofSeconds(60);

  private final Path jar;
  private final Path out;
  private final WaveSettings settings;
  private final List<String> jvmOptions;

  WaveBench(Path jar, Path out, WaveSettings settings, List<String> jvmOptions) {
    this.jar = jar;
    this.out = out;
    this.settings = settings;
    this.jvmOptions = jvmOptions;
  }

  /** One wave on {@code instances} product processes; the figures as JSON. */
  JsonObject run(Vertx vertx, Vertx loadVertx, int instances) {
    SandboxTenant tenant = Await.await(SandboxTenant.start(vertx, SandboxOptions.defaults()
        .withGraphLimits(GraphLimits.documented()).withExtraCloudPcs(settings.pcs())
        .withRebuildTime(settings.rebuild()).withLatency(settings.graphLatency())), START_LIMIT);
    Map<String, String> env = new HashMap<>(tenant.environment());
    env.put("POLL_RETRY_AFTER_SECONDS", Long.toString(settings.pollRetryAfter().toSeconds()));
    if (instances > 1) {
      // As docs/setup.md asks of a scaled-out app: one polling-link secret on every instance, one storage account.
      env.put("OPERATION_URL_SECRET", java.util.UUID.randomUUID().toString());
      env.put("AzureWebJobsStorage", azurite().connectionString());
      env.put("REPROVISION_STATE_TABLE", "wave" + System.nanoTime());
    }
    List<ProductProcess> processes = new ArrayList<>();
    BenchClient client = new BenchClient(loadVertx, settings.inFlight() * 2);
    try {
      for (int i = 0; i < instances; i++) {
        processes.add(Subject.product("wave", jar, jvmOptions).launch(env,
            out.resolve("wave-" + instances + "-instance-" + i + ".log")));
      }
      processes.forEach(p -> p.awaitReady(START_LIMIT));
      String token = tenant.identity().mintApplicationToken(SandboxSeed.ADMIN_CALLER_APP_ID,
          List.of(SandboxTenant.ADMIN_ROLE), TokenVersion.V2, Duration.ofHours(2));
      MultiMap key = MultiMap.caseInsensitiveMultiMap().add("x-functions-key", tenant.functionKey());
      MultiMap headers = MultiMap.caseInsensitiveMultiMap().addAll(key).add("Authorization", "Bearer " + token);
      WaveFlows flows = new WaveFlows(loadVertx, client, processes.stream().map(ProductProcess::port).toList(),
          headers, key, settings.clientRetries());
      int requestsBefore = tenant.graph().requests().size();
      long started = System.nanoTime();
      // A product that cannot live within the budget may never finish: it is stopped at the limit and what it did
      // by then is reported.
      Promise<Void> ended = Promise.promise();
      flows.run(settings.pcs(), settings.inFlight()).onComplete(ended);
      long timer = vertx.setTimer(settings.limit().toMillis(), id -> ended.tryComplete());
      Await.await(ended.future(), settings.limit().plusMinutes(1));
      vertx.cancelTimer(timer);
      double seconds = (System.nanoTime() - started) / 1e9;
      return figures(tenant, flows, seconds, requestsBefore, instances);
    } finally {
      processes.forEach(ProductProcess::close);
      Await.await(client.close(), START_LIMIT);
      Await.await(tenant.close(), START_LIMIT);
    }
  }

  private JsonObject figures(SandboxTenant tenant, WaveFlows flows, double seconds, int requestsBefore,
                             int instances) {
    List<RecordedRequest> all = tenant.graph().requests();
    List<RecordedRequest> product = all.subList(requestsBefore, all.size()).stream()
        .filter(r -> String.valueOf(r.header("user-agent")).startsWith("cloudpc-reprovision/")).toList();
    Map<String, Integer> byKind = new TreeMap<>();
    product.forEach(r -> byKind.merge(kind(r), 1, Integer::sum));
    Map<Integer, Integer> executions = new TreeMap<>();
    IntStream.range(0, settings.pcs()).forEach(i ->
        executions.merge(tenant.graph().executedReprovisions(SandboxSeed.extraCloudPcId(i)), 1, Integer::sum));
    long throttled = tenant.graph().throttledCount();
    JsonObject kinds = new JsonObject();
    byKind.forEach(kinds::put);
    JsonObject rebuilt = new JsonObject();
    executions.forEach((times, pcs) -> rebuilt.put(times + "x", pcs));
    return new JsonObject()
        .put("instances", instances)
        .put("seconds", Report.round(seconds))
        .put("graphRequests", product.size())
        .put("graphRequestsByKind", kinds)
        .put("graphRequestsPerCloudPc", Report.round((double) product.size() / settings.pcs()))
        .put("throttledByGraph", throttled)
        .put("throttledShare", Report.round(product.isEmpty() ? 0 : (double) throttled / product.size()))
        .put("cloudPcsRebuilt", rebuilt)
        .put("reprovisionsPerMinute", Report.round(executions.getOrDefault(1, 0) * 60 / seconds))
        .put("flowsFinished", flows.finished())
        .put("stoppedAtLimit", flows.finished() < settings.pcs())
        .put("flows", flows.toJson());
  }

  private static String kind(RecordedRequest request) {
    String path = request.path();
    if (request.method().equals("POST")) {
      return path.endsWith("/reprovision") ? "POST reprovision" : "POST other";
    }
    if (path.matches(".*/cloudPCs/?")) {
      return "GET list cloudPCs";
    }
    if (path.matches(".*/cloudPCs/[^/]+")) {
      return "GET cloudPC";
    }
    return path.matches(".*/cloudPCs/[^/]+/.+") ? "GET cloudPC function" : "GET other";
  }

  /** The storage the instances share; installed with npm on first use, as the test build does. */
  private static Azurite azurite() {
    Path dir = Path.of(System.getProperty("azurite.dir", "target/azurite")).toAbsolutePath();
    if (!Files.isExecutable(dir.resolve("node_modules/.bin/azurite-table"))) {
      try {
        Files.createDirectories(dir);
        for (String file : List.of("package.json", "package-lock.json")) {
          Files.copy(Path.of("src/test/azurite", file), dir.resolve(file),
              java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
        Process npm = new ProcessBuilder("npm", "ci", "--no-audit", "--no-fund", "--loglevel=error")
            .directory(dir.toFile()).inheritIO().start();
        if (npm.waitFor() != 0) {
          throw new IllegalStateException("npm ci in " + dir + " failed");
        }
      } catch (IOException e) {
        throw new UncheckedIOException("cannot install Azurite in " + dir, e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted installing Azurite");
      }
    }
    return Azurite.shared();
  }
}
