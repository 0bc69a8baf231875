package dev.cloudpc.reprovision.budget;

import static dev.cloudpc.reprovision.support.Await.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.cloudpc.reprovision.sandbox.Fault;
import dev.cloudpc.reprovision.sandbox.GraphLimits;
import dev.cloudpc.reprovision.sandbox.RecordedRequest;
import dev.cloudpc.reprovision.sandbox.SandboxOptions;
import dev.cloudpc.reprovision.sandbox.SandboxSeed;
import dev.cloudpc.reprovision.sandbox.SandboxTenant;
import dev.cloudpc.reprovision.support.Eventually;
import dev.cloudpc.reprovision.support.StrictVertxTest;
import dev.cloudpc.reprovision.support.TestStack;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The budget end to end, against a fake Graph that enforces Windows 365's limits as Microsoft documents them: what a
 * caller gets when the budget cannot serve it in time, one pause for everyone after a Graph 429, and a bulk request
 * paced rather than burst.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class GraphBudgetTest extends StrictVertxTest {
  private static final String GET_PC = ".*/cloudPCs/[^/]+";

  private TestStack stack;

  private TestStack start(GraphLimits graphLimits, Map<String, String> settings) {
    SandboxTenant tenant = await(SandboxTenant.start(vertx, SandboxOptions.defaults().withRebuildTime(TestStack.REBUILD)
        .withExtraCloudPcs(40).withGraphLimits(graphLimits)));
    stack = TestStack.start(vertx, tenant, settings);
    return stack;
  }

  @AfterEach
  void stop() {
    if (stack != null) {
      stack.close();
    }
  }

  @Test
  void requestsWhoseTurnCannotComeBeforeTheirDeadlineGet429WithRetryAfterAndNothingIsSent() {
    start(new GraphLimits(62, 124, 90, 180), Map.of("GRAPH_GET_CLOUD_PC_PER_MINUTE", "62",
        "REQUEST_DEADLINE_SECONDS", "3"));
    String admin = stack.adminToken();
    List<Future<HttpResponse<Buffer>>> reprovisions = new ArrayList<>();
    for (int i = 0; i < 12; i++) {
      reprovisions.add(stack.post(reprovision(i), admin));
    }
    await(Future.join(reprovisions));

    List<HttpResponse<Buffer>> answers = reprovisions.stream().map(Future::result).toList();
    List<HttpResponse<Buffer>> served = answers.stream().filter(r -> r.statusCode() == 202).toList();
    List<HttpResponse<Buffer>> refused = answers.stream().filter(r -> r.statusCode() != 202).toList();
    assertThat(served).as("one a second, within a deadline of 3 s less the reserve").hasSizeBetween(1, 4);
    assertThat(refused).isNotEmpty().allSatisfy(r -> {
      assertThat(r.statusCode()).isEqualTo(429);
      assertThat(r.getHeader("Content-Type")).isEqualTo("application/problem+json");
      JsonObject problem = r.bodyAsJsonObject();
      assertThat(problem.getString("type")).endsWith(":graph-budget-spent");
      assertThat(problem.getString("detail")).contains("Get Cloud PC").contains("Nothing was sent to Graph");
      assertThat(Long.parseLong(r.getHeader("Retry-After"))).isPositive();
    });
    assertThat(stack.tenant.graph().count("GET", GET_PC)).as("only the served reads reached Graph")
        .isEqualTo(served.size());
    assertThat(stack.reprovisionPosts()).isEqualTo(served.size());
    assertThat(stack.tenant.graph().throttledCount()).isZero();
  }

  @Test
  void aGraph429PausesTheLimitForEveryRequestAndEachIsSentOnceAfterIt() {
    start(GraphLimits.generous(), Map.of("GRAPH_GET_CLOUD_PC_PER_MINUTE", "600"));
    stack.tenant.graph().faults().next("GET", GET_PC, Fault.status(429, "TooManyRequests",
        Map.of("Retry-After", "2")));
    String admin = stack.adminToken();
    Future<HttpResponse<Buffer>> first = stack.post(reprovision(0), admin);
    // The others ask once Graph has throttled the first: they must wait out the same pause, not meet Graph.
    await(Eventually.until(vertx, () -> stack.tenant.graph().count("GET", GET_PC) == 1));
    JsonObject health = await(stack.get("/api/health", null)).bodyAsJsonObject();
    List<Future<HttpResponse<Buffer>>> others = IntStream.range(1, 6)
        .mapToObj(i -> stack.post(reprovision(i), admin)).toList();
    await(Future.all(others).compose(v -> first));

    assertThat(first.result().statusCode()).isEqualTo(202);
    assertThat(others).allSatisfy(r -> assertThat(r.result().statusCode()).isEqualTo(202));
    assertThat(stack.reprovisionPosts()).isEqualTo(6);
    assertThat(health.getJsonObject("graphBudget").getJsonObject("getCloudPc").getString("pausedUntil")).isNotNull();
    List<RecordedRequest> gets = stack.tenant.graph().requests().stream()
        .filter(r -> r.method().equals("GET") && r.path().matches(GET_PC)).toList();
    assertThat(gets).as("the throttled read, then each of the six once").hasSize(7);
    Instant throttledAt = gets.get(0).at();
    assertThat(gets.subList(1, gets.size())).allSatisfy(r ->
        assertThat(Duration.between(throttledAt, r.at())).isGreaterThanOrEqualTo(Duration.ofMillis(1_900)));
  }

  @Test
  void aBulkRequestIsPacedWithinTheDocumentedLimitsNeverBurstPastThem() {
    start(GraphLimits.documented(), Map.of("POLL_RETRY_AFTER_SECONDS", "1"));
    List<String> pcs = IntStream.range(0, 30).mapToObj(SandboxSeed::extraCloudPcId).toList();
    HttpResponse<Buffer> answer = await(stack.postJson("/api/cloudpcs/reprovision", stack.adminToken(),
        new JsonObject().put("cloudPcIds", new JsonArray(pcs)).encode()));

    assertThat(answer.statusCode()).as(answer.bodyAsString()).isEqualTo(202);
    assertThat(answer.bodyAsJsonObject().getJsonObject("counts")).isEqualTo(new JsonObject().put("accepted", 30));
    assertThat(stack.tenant.graph().throttledCount()).isZero();
    assertThat(stack.reprovisionPosts()).isEqualTo(30);
    Map<Long, Long> getsPerSecond = stack.tenant.graph().requests().stream()
        .filter(r -> r.method().equals("GET") && r.path().matches(GET_PC))
        .collect(Collectors.groupingBy(r -> r.at().getEpochSecond(), TreeMap::new, Collectors.counting()));
    assertThat(getsPerSecond.values().stream().mapToLong(Long::longValue).sum()).isEqualTo(30);
    assertThat(getsPerSecond.values()).as("270 a minute is 4 or 5 a second; one more for a send late by ms")
        .allSatisfy(n -> assertThat(n).isLessThanOrEqualTo(6));
  }

  private static String reprovision(int extraPc) {
    return "/api/cloudpcs/" + SandboxSeed.extraCloudPcId(extraPc) + "/reprovision";
  }

}
