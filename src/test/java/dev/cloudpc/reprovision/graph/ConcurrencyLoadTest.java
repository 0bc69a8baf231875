package dev.cloudpc.reprovision.graph;

import static dev.cloudpc.reprovision.graph.GraphTestKit.adminRoute;
import static org.assertj.core.api.Assertions.assertThat;

import dev.cloudpc.reprovision.sandbox.Fault;
import dev.cloudpc.reprovision.sandbox.SandboxGraph;
import dev.cloudpc.reprovision.sandbox.SandboxOptions;
import dev.cloudpc.reprovision.sandbox.SandboxSeed;
import dev.cloudpc.reprovision.support.StrictVertxTest;
import dev.cloudpc.reprovision.support.TestStack;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxTestContext;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The must-show: 20,000 reprovisions of distinct Cloud PCs at concurrency 200 while Graph throttles 3 % of
 * the POSTs (Retry-After 0 or 1) and answers 1 % of all calls with 503. Every request is answered, no Cloud PC is
 * wiped without an "accepted" answer (nor twice), a handful of event-loop threads never block, and one token serves
 * the whole run.
 */
class ConcurrencyLoadTest extends StrictVertxTest {
  private static final Logger LOG = LoggerFactory.getLogger(ConcurrencyLoadTest.class);
  private static final int REQUESTS = 20_000;
  private static final int CONCURRENCY = 200;
  private static final long SEED = 4_2024L;

  private static TestStack stack;

  @BeforeAll
  static void start() {
    stack = GraphTestKit.start(vertx, SandboxOptions.defaults().withExtraCloudPcs(REQUESTS), Map.of());
  }

  @AfterAll
  static void close() {
    stack.close();
  }

  @Test
  @Timeout(value = 120, timeUnit = TimeUnit.SECONDS)
  void everyRequestAnsweredNoPcWipedWithoutAcceptanceOneToken(VertxTestContext test) {
    SandboxGraph graph = stack.tenant.graph();
    graph.recordRequests(false); // 80,000 recorded requests would hold every token and body in memory
    String reprovision = ".*/cloudPCs/[^/]+/reprovision";
    graph.faults()
        .random("POST", reprovision, 0.015, Fault.status(429, "TooManyRequests", Map.of("Retry-After", "0")), SEED)
        .random("POST", reprovision, 0.015, Fault.status(429, "TooManyRequests", Map.of("Retry-After", "1")),
            SEED + 1)
        .random("*", ".*", 0.01, Fault.status(503, "ServiceUnavailable"), SEED + 2);
    int tokensBefore = stack.tenant.identity().tokenRequests();
    AtomicIntegerArray statuses = new AtomicIntegerArray(REQUESTS);
    AtomicIntegerArray accepted = new AtomicIntegerArray(REQUESTS);
    AtomicInteger next = new AtomicInteger();
    WebClient client = GraphTestKit.wideClient(stack, CONCURRENCY);
    String admin = stack.adminToken();
    long start = System.nanoTime();
    List<Future<Void>> workers = new ArrayList<>();
    for (int w = 0; w < CONCURRENCY; w++) {
      workers.add(work(client, admin, next, statuses, accepted));
    }
    Future.all(workers).onComplete(test.succeeding(done -> test.verify(() -> {
      long millis = GraphTestKit.elapsedMillis(start);
      Map<Integer, Integer> byStatus = new TreeMap<>();
      int executed = 0;
      for (int i = 0; i < REQUESTS; i++) {
        byStatus.merge(statuses.get(i), 1, Integer::sum);
        int wipes = graph.executedReprovisions(SandboxSeed.extraCloudPcId(i));
        executed += wipes;
        assertThat(wipes).as("executed reprovisions of PC %d answered %d", i, statuses.get(i))
            .isEqualTo(accepted.get(i));
      }
      LOG.info("{} requests at concurrency {} in {} ms ({} req/s); answers {}; executed {}; token requests {}",
          REQUESTS, CONCURRENCY, millis, REQUESTS * 1000L / Math.max(1, millis), byStatus, executed,
          stack.tenant.identity().tokenRequests() - tokensBefore);
      assertThat(byStatus.keySet()).as("every request answered, with 202 or a throttling problem")
          .isSubsetOf(202, 429, 503);
      assertThat(byStatus.get(202)).isGreaterThan(REQUESTS * 9 / 10);
      assertThat(stack.tenant.identity().tokenRequests() - tokensBefore).isBetween(1, 3);
      assertThat(stack.app.graphTokenRequests()).isBetween(1, 3);
      test.completeNow();
    })));
  }

  /** One of {@link #CONCURRENCY} loops: take the next Cloud PC, reprovision it, record the answer, repeat. */
  private static Future<Void> work(WebClient client, String admin, AtomicInteger next, AtomicIntegerArray statuses,
                                   AtomicIntegerArray accepted) {
    int i = next.getAndIncrement();
    if (i >= REQUESTS) {
      return Future.succeededFuture();
    }
    return client.request(HttpMethod.POST, adminRoute(SandboxSeed.extraCloudPcId(i)))
        .putHeader("x-functions-key", stack.tenant.functionKey())
        .putHeader("Authorization", "Bearer " + admin)
        .send()
        .compose(response -> {
          record(i, response, statuses, accepted);
          return work(client, admin, next, statuses, accepted);
        });
  }

  private static void record(int i, HttpResponse<Buffer> response, AtomicIntegerArray statuses,
                             AtomicIntegerArray accepted) {
    statuses.set(i, response.statusCode());
    if (response.statusCode() == 202) {
      JsonObject body = response.bodyAsJsonObject();
      accepted.set(i, "accepted".equals(body.getString("status")) ? 1 : 0);
    } else if (response.statusCode() == 429 || response.statusCode() == 503) {
      if (!"application/problem+json".equals(response.getHeader("Content-Type"))
          || response.getHeader("Retry-After") == null) {
        statuses.set(i, -response.statusCode()); // shows up as an unexpected status in the assertion
      }
    }
  }
}
