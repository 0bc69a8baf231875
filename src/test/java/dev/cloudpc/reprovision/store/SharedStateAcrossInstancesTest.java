package dev.cloudpc.reprovision.store;

import static dev.cloudpc.reprovision.support.Await.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.cloudpc.reprovision.sandbox.Fault;
import dev.cloudpc.reprovision.sandbox.SandboxOptions;
import dev.cloudpc.reprovision.sandbox.SandboxSeed;
import dev.cloudpc.reprovision.sandbox.SandboxTenant;
import dev.cloudpc.reprovision.support.Azurite;
import dev.cloudpc.reprovision.support.StrictVertxTest;
import dev.cloudpc.reprovision.support.TestStack;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxTestContext;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Two instances of the function (two routers, as Functions scales out) sharing one storage account — Azurite's
 * Table service — and one fake Graph: what one instance did, the other must know before it sends a second wipe.
 */
class SharedStateAcrossInstancesTest extends StrictVertxTest {
  private static Azurite azurite;
  private static SandboxTenant tenant;
  private static TestStack one;
  private static TestStack two;

  @BeforeAll
  static void start() {
    assertThat(List.of(1)).containsOnlyOnce(1); // AssertJ's first use loads many classes: not on an event loop
    azurite = Azurite.shared();
    tenant = await(SandboxTenant.start(vertx, SandboxOptions.defaults().withRebuildTime(TestStack.REBUILD)
        .withExtraCloudPcs(8)));
    Map<String, String> storage = Map.of("AzureWebJobsStorage", azurite.connectionString(),
        "REPROVISION_STATE_TABLE", "acrossInstances" + System.nanoTime());
    one = TestStack.start(vertx, tenant, storage);
    two = TestStack.start(vertx, tenant, storage);
  }

  @AfterEach
  void reset() {
    tenant.graph().reset();
    tenant.graph().setRebuildTime(TestStack.REBUILD);
    if (!azurite.running()) {
      azurite.start();
    }
  }

  @AfterAll
  static void stop() {
    await(one.app.close());
    two.close();
  }

  @Test
  void aRetryOnTheOtherInstanceAfterGraphsStatusMovedOnDoesNotPostAgain(VertxTestContext test) {
    // Graph's status already says "provisioned" again (its lag, squeezed): only the shared memory can tell.
    tenant.graph().setRebuildTime(Duration.ofMillis(1));
    String pc = SandboxSeed.extraCloudPcId(0);
    String token = one.adminToken();
    one.post(reprovision(pc), token)
        .compose(first -> two.post(reprovision(pc), token).map(second -> List.of(first, second)))
        .onComplete(test.succeeding(answers -> test.verify(() -> {
          JsonObject first = answers.get(0).bodyAsJsonObject();
          JsonObject second = answers.get(1).bodyAsJsonObject();
          assertThat(answers.get(0).statusCode()).isEqualTo(202);
          assertThat(first.getString("status")).isEqualTo("accepted");
          assertThat(answers.get(1).statusCode()).as(second.encode()).isEqualTo(202);
          assertThat(second.getString("status")).isEqualTo("alreadyRunning");
          assertThat(second.getString("operationId")).isEqualTo(first.getString("operationId"));
          assertThat(second.getString("graphRequestId")).isEqualTo(first.getString("graphRequestId"));
          assertThat(posts(pc)).isEqualTo(1);
          test.completeNow();
        })));
  }

  @Test
  void theSamePcOnBothInstancesAtOnceReachesGraphOnce(VertxTestContext test) {
    // Graph answers its reads late with what it knew when asked: both instances read "nothing running".
    tenant.graph().faults().always("GET", ".*/cloudPCs/[^/]+$", Fault.delay(Duration.ofMillis(300)))
        .always("GET", ".*/retrieveCloudPcRemoteActionResults", Fault.delay(Duration.ofMillis(300)));
    String pc = SandboxSeed.extraCloudPcId(1);
    String token = one.adminToken();
    Future.all(one.post(reprovision(pc), token), two.post(reprovision(pc), token))
        .onComplete(test.succeeding(both -> test.verify(() -> {
          List<String> answers = List.of(summary(both.resultAt(0)), summary(both.resultAt(1)));
          assertThat(answers).containsOnlyOnce("202 accepted");
          assertThat(answers).allMatch(a -> a.equals("202 accepted") || a.equals("202 alreadyRunning")
              || a.equals("409 reprovision-in-flight"));
          assertThat(posts(pc)).isEqualTo(1);
          test.completeNow();
        })));
  }

  @Test
  void anIdempotencyKeyIsReplayedOnTheOtherInstanceAndRefusedForAnotherRequest(VertxTestContext test) {
    String pc = SandboxSeed.extraCloudPcId(2);
    String token = one.adminToken();
    String key = "flow-run-" + System.nanoTime();
    one.request(HttpMethod.POST, reprovision(pc), token).putHeader("Idempotency-Key", key).send()
        .compose(first -> two.request(HttpMethod.POST, reprovision(pc), token).putHeader("Idempotency-Key", key)
            .send().compose(replay -> two.request(HttpMethod.POST, reprovision(pc), token)
                .putHeader("Idempotency-Key", key).putHeader("Content-Type", "application/json")
                .sendBuffer(Buffer.buffer("{\"osVersion\":\"windows11\"}"))
                .map(other -> List.of(first, replay, other))))
        .onComplete(test.succeeding(answers -> test.verify(() -> {
          assertThat(answers.get(0).statusCode()).isEqualTo(202);
          assertThat(answers.get(1).statusCode()).isEqualTo(202);
          assertThat(answers.get(1).bodyAsString()).isEqualTo(answers.get(0).bodyAsString());
          assertThat(answers.get(1).getHeader("Location")).isEqualTo(answers.get(0).getHeader("Location"));
          assertThat(answers.get(1).getHeader("Idempotent-Replayed")).isEqualTo("true");
          assertThat(answers.get(2).statusCode()).isEqualTo(422);
          assertThat(answers.get(2).bodyAsJsonObject().getString("type")).endsWith("idempotency-key-reused");
          assertThat(posts(pc)).isEqualTo(1);
          test.completeNow();
        })));
  }

  @Test
  void afterA500OnOneInstanceARetryOnTheOtherDoesNotPostAgain(VertxTestContext test) {
    ambiguousThenRetry(SandboxSeed.extraCloudPcId(3), Fault.status(500, "InternalServerError"), test);
  }

  @Test
  void afterAResetOnOneInstanceARetryOnTheOtherDoesNotPostAgain(VertxTestContext test) {
    ambiguousThenRetry(SandboxSeed.extraCloudPcId(4), Fault.reset(), test);
  }

  /** Graph did not act, but the caller cannot know: the retry elsewhere must get the same answer, not a POST. */
  private void ambiguousThenRetry(String pc, Fault fault, VertxTestContext test) {
    tenant.graph().faults().next("POST", ".*/reprovision$", fault);
    String token = one.adminToken();
    one.post(reprovision(pc), token)
        .compose(first -> two.post(reprovision(pc), token).map(second -> List.of(first, second)))
        .onComplete(test.succeeding(answers -> test.verify(() -> {
          assertThat(answers.get(0).statusCode()).isGreaterThanOrEqualTo(500);
          assertThat(answers.get(1).statusCode()).isEqualTo(answers.get(0).statusCode());
          assertThat(answers.get(1).bodyAsJsonObject().getString("type"))
              .isEqualTo(answers.get(0).bodyAsJsonObject().getString("type"));
          assertThat(posts(pc)).isEqualTo(1);
          assertThat(tenant.graph().executedReprovisions(pc)).isZero();
          test.completeNow();
        })));
  }

  @Test
  void withTheStoreDownReprovisionsAnswer503AndSendNothingThenRecover(VertxTestContext test) {
    String pc = SandboxSeed.extraCloudPcId(5);
    String token = one.adminToken();
    azurite.stop();
    one.post(reprovision(pc), token)
        .compose(refused -> one.get("/api/cloudpcs/" + pc, token)
            .compose(status -> one.get("/api/health", null)
                .map(health -> List.of(refused, status, health))))
        .compose(down -> vertx.executeBlocking(() -> {
          azurite.start();
          return down;
        }))
        .compose(down -> two.post(reprovision(pc), token).compose(again -> one.get("/api/health", null)
            .map(health -> List.of(down.get(0), down.get(1), down.get(2), again, health))))
        .onComplete(test.succeeding(answers -> test.verify(() -> {
          HttpResponse<Buffer> refused = answers.get(0);
          assertThat(refused.statusCode()).isEqualTo(503);
          assertThat(refused.getHeader("Content-Type")).isEqualTo("application/problem+json");
          assertThat(refused.getHeader("Retry-After")).isNotBlank();
          assertThat(refused.bodyAsJsonObject().getString("type")).endsWith("state-store-unavailable");
          assertThat(answers.get(1).statusCode()).isEqualTo(200);
          JsonObject health = answers.get(2).bodyAsJsonObject();
          assertThat(answers.get(2).statusCode()).isEqualTo(503);
          assertThat(health.getJsonObject("checks").getJsonObject("stateStore").getString("status"))
              .isEqualTo("failing");
          assertThat(health.getString("stateStore")).startsWith("Azure Table Storage");
          assertThat(answers.get(3).statusCode()).as(answers.get(3).bodyAsString()).isEqualTo(202);
          assertThat(answers.get(4).statusCode()).isEqualTo(200);
          assertThat(posts(pc)).isEqualTo(1);
          test.completeNow();
        })));
  }

  private static String reprovision(String pc) {
    return "/api/cloudpcs/" + pc + "/reprovision";
  }

  private static String summary(HttpResponse<Buffer> response) {
    JsonObject body = response.bodyAsJsonObject();
    String status = response.statusCode() < 300 ? body.getString("status")
        : body.getString("type").substring(body.getString("type").lastIndexOf(':') + 1);
    return response.statusCode() + " " + status;
  }

  private static long posts(String pc) {
    return tenant.graph().count("POST", ".*/cloudPCs/" + pc + "/reprovision$");
  }
}
