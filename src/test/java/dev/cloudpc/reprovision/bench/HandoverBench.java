package dev.cloudpc.reprovision.bench;

import com.microsoft.azure.functions.HttpMethod;
import com.microsoft.azure.functions.HttpResponseMessage;
import dev.cloudpc.reprovision.ReprovisionApp;
import dev.cloudpc.reprovision.config.Settings;
import dev.cloudpc.reprovision.function.ReprovisionFunctions;
import dev.cloudpc.reprovision.function.RouterHandover;
import dev.cloudpc.reprovision.sandbox.SandboxTenant;
import dev.cloudpc.reprovision.support.Await;
import dev.cloudpc.reprovision.support.FakeHttpRequest;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The hand-over from the Azure Functions entry into the router, in this JVM: {@code GET /api/health} through
 * {@link ReprovisionFunctions} (a worker-style thread hands over to the router on loopback and waits) against the same
 * request sent by the async bench client straight to a router's port. Sequential and interleaved, on a thread of its
 * own that has never touched Vert.x, like a Functions worker thread. The difference is what the entry adds: building
 * the forwarded request, the Functions-side response, and waking the waiting thread.
 *
 * <p>REQUEST_DEADLINE_SECONDS is 1 here, so an answer the hand-over loses costs 5 s (deadline plus grace) instead of
 * 104 s. Lost answers (504) are counted apart and left out of the percentiles, which describe the cost of a hand-over
 * that works.
 */
final class HandoverBench {
  private static final Duration ANSWER_LIMIT = Duration.ofSeconds(10);
  private static final Duration START_LIMIT = Duration.ofSeconds(60);
  private static final URI HEALTH = URI.create("https://cloudpc-fn.azurewebsites.net/api/health");
  private static final Map<String, String> HOST_HEADERS = Map.of("host", "cloudpc-fn.azurewebsites.net",
      "accept", "application/json", "user-agent", BenchClient.USER_AGENT, "x-forwarded-proto", "https");

  private final ReprovisionFunctions functions;
  private final BenchClient client;
  private final int directPort;
  private final Latencies viaFunction = new Latencies();
  private final Latencies straight = new Latencies();
  private final Map<Integer, Integer> functionStatuses = new TreeMap<>();
  private volatile int pairs;
  private volatile long directFailures;

  private HandoverBench(ReprovisionFunctions functions, BenchClient client, int directPort) {
    this.functions = functions;
    this.client = client;
    this.directPort = directPort;
  }

  static JsonObject measure(Vertx vertx, SandboxTenant tenant, BenchClient client, int warmupPairs, int measuredPairs,
                            Duration limit) {
    Map<String, String> env = new HashMap<>(tenant.environment());
    env.remove("FUNCTION_KEY"); // under Azure the host checks keys before the function runs
    env.put("REQUEST_DEADLINE_SECONDS", "1");
    Settings settings = Settings.fromEnvironment(env);
    ReprovisionApp direct = Await.await(ReprovisionApp.start(vertx, settings, ReprovisionApp.Listen.loopback(0)),
        START_LIMIT);
    try {
      HandoverBench bench = new HandoverBench(new ReprovisionFunctions(RouterHandover.start(vertx, settings)::forward),
          client, direct.port());
      boolean finished = bench.runOnWorkerThread(warmupPairs, measuredPairs, limit);
      return bench.toJson(warmupPairs, finished);
    } finally {
      Await.await(direct.close(), START_LIMIT);
    }
  }

  /** False when the time limit ended the loop (the worker thread is then interrupted). */
  private boolean runOnWorkerThread(int warmupPairs, int measuredPairs, Duration limit) {
    Thread worker = new Thread(() -> loop(warmupPairs, measuredPairs), "bench-functions-worker");
    worker.setDaemon(true);
    worker.start();
    try {
      worker.join(limit.toMillis());
      if (worker.isAlive()) {
        worker.interrupt();
        worker.join(ANSWER_LIMIT.toMillis());
        return false;
      }
      return true;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  private void loop(int warmupPairs, int measuredPairs) {
    MultiMap directHeaders = MultiMap.caseInsensitiveMultiMap().add("accept", "application/json");
    for (int i = 0; i < warmupPairs + measuredPairs && !Thread.currentThread().isInterrupted(); i++) {
      boolean measure = i >= warmupPairs;
      long t0 = System.nanoTime();
      HttpResponseMessage answer = functions.health(
          new FakeHttpRequest(HttpMethod.GET, HEALTH, HOST_HEADERS, Optional.empty()),
          FakeHttpRequest.context("bench-" + i));
      long t1 = System.nanoTime();
      // The direct answer's time is taken on the event loop, where an async caller would see it.
      long t2 = System.nanoTime();
      Future<Long> directAnswered = client.send(io.vertx.core.http.HttpMethod.GET, directPort, "/api/health",
          directHeaders, null, 200).map(ok -> ok ? System.nanoTime() : -1L);
      long t3;
      try {
        t3 = Await.await(directAnswered, ANSWER_LIMIT);
      } catch (IllegalStateException interruptedOrLost) {
        t3 = -1;
      }
      if (t3 < 0) {
        directFailures++;
      }
      if (measure) {
        synchronized (functionStatuses) {
          functionStatuses.merge(answer.getStatusCode(), 1, Integer::sum);
        }
        if (answer.getStatusCode() == 200 && t3 >= 0) {
          viaFunction.add(t1 - t0);
          straight.add(t3 - t2);
        }
      }
      pairs = i + 1;
    }
  }

  private JsonObject toJson(int warmupPairs, boolean finished) {
    JsonObject statuses = new JsonObject();
    synchronized (functionStatuses) {
      functionStatuses.forEach((status, count) -> statuses.put(Integer.toString(status), count));
    }
    return new JsonObject()
        .put("route", "GET /api/health")
        .put("measuredPairs", Math.max(0, pairs - warmupPairs))
        .put("finishedWithinLimit", finished)
        .put("functionStatuses", statuses)
        .put("lostHandoverAnswers", statuses.getInteger("504", 0))
        .put("directFailures", directFailures)
        .put("throughFunction", viaFunction.toJson())
        .put("routerPortDirectly", straight.toJson())
        .put("addedP50Ms", Report.round(viaFunction.percentileMs(50) - straight.percentileMs(50)))
        .put("addedP99Ms", Report.round(viaFunction.percentileMs(99) - straight.percentileMs(99)));
  }
}
