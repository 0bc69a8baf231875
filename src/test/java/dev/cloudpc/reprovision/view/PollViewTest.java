package dev.cloudpc.reprovision.view;

import static dev.cloudpc.reprovision.support.Await.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.cloudpc.reprovision.sandbox.Fault;
import dev.cloudpc.reprovision.sandbox.GraphLimits;
import dev.cloudpc.reprovision.sandbox.SandboxOptions;
import dev.cloudpc.reprovision.sandbox.SandboxSeed;
import dev.cloudpc.reprovision.sandbox.SandboxTenant;
import dev.cloudpc.reprovision.support.StrictVertxTest;
import dev.cloudpc.reprovision.support.TestStack;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Polls of Cloud PCs under way are answered from a view refreshed with List Cloud PCs pages, not with a Get Cloud PC
 * each, and never from a read older than what they need; flows are told to poll no faster than the budget answers.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class PollViewTest extends StrictVertxTest {
  private static final String GET_PC = ".*/cloudPCs/[^/]+";
  private static final String LIST_PCS = ".*/cloudPCs/?";

  private TestStack stack;

  private void start(Map<String, String> settings) {
    SandboxTenant tenant = await(SandboxTenant.start(vertx, SandboxOptions.defaults()
        .withRebuildTime(Duration.ofSeconds(30)).withExtraCloudPcs(20).withGraphLimits(GraphLimits.generous())));
    stack = TestStack.start(vertx, tenant, settings);
  }

  @AfterEach
  void stop() {
    stack.close();
  }

  @Test
  void pollsUnderLoadAreAnsweredFromListPagesNeitherSpendingNorWaitingForGets() {
    start(Map.of("GRAPH_GET_CLOUD_PC_PER_MINUTE", "6200", "POLL_RETRY_AFTER_SECONDS", "1"));
    String admin = stack.adminToken();
    List<HttpResponse<Buffer>> accepted = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      accepted.add(await(stack.post("/api/cloudpcs/" + SandboxSeed.extraCloudPcId(i) + "/reprovision", admin)));
    }
    assertThat(accepted).allSatisfy(r -> assertThat(r.statusCode()).isEqualTo(202));
    // Graph pauses Get Cloud PC for 5 s; a status read now waits for it, so the Get budget is anything but idle.
    stack.tenant.graph().faults().next("GET", GET_PC, Fault.status(429, "TooManyRequests",
        Map.of("Retry-After", "5")));
    Future<HttpResponse<Buffer>> waitingRead = stack.get("/api/cloudpcs/" + SandboxSeed.extraCloudPcId(19), admin);
    await(waitingForAGet());
    long getsBefore = stack.tenant.graph().count("GET", GET_PC);
    long started = System.nanoTime();

    List<Future<HttpResponse<Buffer>>> asked = accepted.stream().map(answer -> stack.client
        .getAbs(answer.getHeader("Location")).putHeader("x-functions-key", stack.tenant.functionKey()).send()).toList();
    List<HttpResponse<Buffer>> polls = await(Future.all(asked)).list();
    Duration took = Duration.ofNanos(System.nanoTime() - started);

    for (int i = 0; i < polls.size(); i++) {
      HttpResponse<Buffer> poll = polls.get(i);
      assertThat(poll.statusCode()).as(poll.bodyAsString()).isEqualTo(202);
      JsonObject body = poll.bodyAsJsonObject();
      assertThat(body.getString("state")).isEqualTo("running");
      assertThat(Instant.parse(body.getString("checkedAt"))).as("read after the acceptance")
          .isAfterOrEqualTo(Instant.parse(accepted.get(i).bodyAsJsonObject().getString("acceptedAt")));
    }
    assertThat(took).as("answered during Graph's pause of Get Cloud PC").isLessThan(Duration.ofSeconds(4));
    assertThat(await(waitingRead).statusCode()).isEqualTo(200);
    assertThat(stack.tenant.graph().count("GET", GET_PC)).as("no Get for any poll; the waiting read's, after the pause")
        .isEqualTo(getsBefore + 1);
    assertThat(stack.tenant.graph().count("GET", LIST_PCS)).as("one refresh of the view: one page").isEqualTo(1);
  }

  @Test
  void theRetryAfterGrowsWithThePcsFollowedUpToTheViewsInterval() {
    // 62 Gets a minute: a quarter of it reads each followed PC every ~4 s; the view renews every 10 s at least.
    start(Map.of("GRAPH_GET_CLOUD_PC_PER_MINUTE", "62", "POLL_RETRY_AFTER_SECONDS", "1"));
    String admin = stack.adminToken();
    List<Long> retryAfters = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      HttpResponse<Buffer> accepted = await(stack.post("/api/cloudpcs/" + SandboxSeed.extraCloudPcId(i)
          + "/reprovision", admin));
      HttpResponse<Buffer> poll = await(stack.client.getAbs(accepted.getHeader("Location"))
          .putHeader("x-functions-key", stack.tenant.functionKey()).send());
      assertThat(poll.statusCode()).as(poll.bodyAsString()).isEqualTo(202);
      retryAfters.add(Long.parseLong(poll.getHeader("Retry-After")));
    }
    assertThat(retryAfters).as("Retry-After of each poll").containsExactly(4L, 8L, 10L);
  }

  /** Until the app's health shows a Get Cloud PC request waiting out Graph's pause. */
  private Future<Void> waitingForAGet() {
    return stack.get("/api/health", null).compose(health -> health.bodyAsJsonObject().getJsonObject("graphBudget")
        .getJsonObject("getCloudPc").getInteger("waiting") > 0 ? Future.<Void>succeededFuture()
        : vertx.timer(20).compose(v -> waitingForAGet()));
  }

}
