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
import dev.cloudpc.reprovision.telemetry.Telemetry;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxTestContext;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
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
  private static String table;
  private static TestStack one;
  private static TestStack two;
  /** The instances' table, reached as a third instance would reach it. */
  private static SharedStore sharedStore;

  @BeforeAll
  static void start() {
    assertThat(List.of(1)).containsOnlyOnce(1); // AssertJ's first use loads many classes: not on an event loop
    azurite = Azurite.shared();
    tenant = await(SandboxTenant.start(vertx, SandboxOptions.defaults().withRebuildTime(TestStack.REBUILD)
        .withExtraCloudPcs(10)));
    table = "acrossInstances" + System.nanoTime();
    Map<String, String> storage = Map.of("AzureWebJobsStorage", azurite.connectionString(),
        "REPROVISION_STATE_TABLE", table);
    one = TestStack.start(vertx, tenant, storage);
    two = TestStack.start(vertx, tenant, storage);
    sharedStore = Stores.create(vertx, StoreOptions.from(one.app.settings()), Telemetry.none());
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
    readsAnsweredLate();
    String pc = SandboxSeed.extraCloudPcId(1);
    String token = one.adminToken();
    onBothAtOnce(stack -> stack.post(reprovision(pc), token))
        .onComplete(test.succeeding(both -> test.verify(() -> {
          List<String> answers = List.of(summary(both.get(0)), summary(both.get(1)));
          assertThat(answers).containsExactlyInAnyOrder("202 accepted", "202 alreadyRunning");
          assertThat(posts(pc)).isEqualTo(1);
          test.completeNow();
        })));
  }

  /**
   * The case: the second request arrives while the first instance holds the claim — its POST is still on its
   * way (Graph answers it 1.5 s late). The second instance waits for the first's recorded answer instead of a 409 a
   * flow would not retry: both callers get 202 with the same operation, and Graph gets one POST.
   */
  @Test
  void aRequestArrivingWhileTheOtherInstanceHoldsTheClaimGets202FromItsAnswer(VertxTestContext test) {
    graphAnswersLate(Duration.ofMillis(1_500));
    String pc = SandboxSeed.extraCloudPcId(6);
    String token = one.adminToken();
    long start = System.nanoTime();
    Map<String, Duration> answeredAfter = new ConcurrentHashMap<>();
    onBothAtOnce(stack -> stack.post(reprovision(pc), token).onSuccess(answer ->
            answeredAfter.put(summary(answer), Duration.ofNanos(System.nanoTime() - start))))
        .onComplete(test.succeeding(both -> test.verify(() -> {
          HttpResponse<Buffer> first = both.get(0);
          HttpResponse<Buffer> second = both.get(1);
          assertThat(answeredAfter).containsOnlyKeys("202 accepted", "202 alreadyRunning");
          assertThat(URI.create(second.getHeader("Location")).getPath()).as("the same operation")
              .isEqualTo(URI.create(first.getHeader("Location")).getPath());
          assertThat(second.bodyAsJsonObject().getString("graphRequestId"))
              .isEqualTo(first.bodyAsJsonObject().getString("graphRequestId")).isNotBlank();
          assertThat(answeredAfter.get("202 alreadyRunning")).as("the waiter answered once the POST was answered")
              .isGreaterThanOrEqualTo(Duration.ofMillis(1_500));
          assertThat(posts(pc)).isEqualTo(1);
          assertThat(tenant.graph().executedReprovisions(pc)).isEqualTo(1);
          test.completeNow();
        })));
  }

  /** A claim still "sending" (its instance slow, or gone) when the deadline comes: 503 and Retry-After, not 409. */
  @Test
  void aClaimStillSendingAtTheDeadlineIs503WithRetryAfterAndNothingSent(VertxTestContext test) {
    String pc = SandboxSeed.extraCloudPcId(7);
    TestStack hasty = TestStack.start(vertx, tenant, Map.of("AzureWebJobsStorage", azurite.connectionString(),
        "REPROVISION_STATE_TABLE", table, "REQUEST_DEADLINE_SECONDS", "2"));
    long start = System.nanoTime();
    claimAsAnotherInstance(pc)
        .compose(claimed -> hasty.post(reprovision(pc), hasty.adminToken()))
        .eventually(() -> hasty.app.close())
        .onComplete(test.succeeding(answer -> test.verify(() -> {
          assertThat(answer.statusCode()).as(answer.bodyAsString()).isEqualTo(503);
          assertThat(answer.getHeader("Content-Type")).isEqualTo("application/problem+json");
          assertThat(answer.getHeader("Retry-After")).isEqualTo("5");
          JsonObject problem = answer.bodyAsJsonObject();
          assertThat(problem.getString("type")).endsWith("reprovision-in-flight");
          assertThat(problem.getString("detail")).contains("nothing was sent");
          assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(4));
          assertThat(posts(pc)).isZero();
          test.completeNow();
        })));
  }

  /** What the claim's holder records while this request waits is this request's answer: 202 with its request-id. */
  @Test
  void theOutcomeAnotherInstanceRecordsWhileThisOneWaitsIsTheAnswer(VertxTestContext test) {
    String pc = SandboxSeed.extraCloudPcId(8);
    claimAsAnotherInstance(pc)
        .compose(claim -> {
          vertx.setTimer(500, t -> sharedStore.replace(new SharedStore.Key("reprovision", pc), claim.etag(),
              new JsonObject().put("state", "accepted").put("graphRequestId", "recorded-elsewhere")
                  .put("acceptedAt", Instant.now().toString()), Instant.now().plus(Duration.ofMinutes(2))));
          return two.post(reprovision(pc), two.adminToken());
        })
        .onComplete(test.succeeding(answer -> test.verify(() -> {
          assertThat(answer.statusCode()).as(answer.bodyAsString()).isEqualTo(202);
          assertThat(answer.bodyAsJsonObject().getString("status")).isEqualTo("alreadyRunning");
          assertThat(answer.bodyAsJsonObject().getString("graphRequestId")).isEqualTo("recorded-elsewhere");
          assertThat(answer.getHeader("Location")).contains("/api/cloudpcs/" + pc + "/operations/");
          assertThat(posts(pc)).isZero();
          test.completeNow();
        })));
  }

  /** The same Idempotency-Key on both instances at once: the second waits for the first's answer and replays it. */
  @Test
  void anIdempotencyKeyPendingOnTheOtherInstanceIsWaitedForAndReplayed(VertxTestContext test) {
    graphAnswersLate(Duration.ofMillis(1_000));
    String pc = SandboxSeed.extraCloudPcId(9);
    String key = "flow-run-" + System.nanoTime();
    onBothAtOnce(stack -> stack.request(HttpMethod.POST, reprovision(pc), stack.adminToken())
            .putHeader("Idempotency-Key", key).send())
        .onComplete(test.succeeding(both -> test.verify(() -> {
          HttpResponse<Buffer> first = both.get(0);
          HttpResponse<Buffer> second = both.get(1);
          assertThat(both).extracting(HttpResponse::statusCode).containsOnly(202);
          assertThat(second.bodyAsString()).isEqualTo(first.bodyAsString());
          assertThat(List.of(String.valueOf(first.getHeader("Idempotent-Replayed")),
              String.valueOf(second.getHeader("Idempotent-Replayed")))).containsExactlyInAnyOrder("true", "null");
          assertThat(posts(pc)).isEqualTo(1);
          test.completeNow();
        })));
  }

  /** The same request sent to instance one and instance two at once; their answers in that order. */
  private static Future<List<HttpResponse<Buffer>>> onBothAtOnce(
      Function<TestStack, Future<HttpResponse<Buffer>>> request) {
    return Future.all(request.apply(one), request.apply(two)).map(both -> List.of(both.resultAt(0), both.resultAt(1)));
  }

  /** Graph answers its reads late with what it knew when asked: both instances read "nothing running". */
  private static void readsAnsweredLate() {
    tenant.graph().faults().always("GET", ".*/cloudPCs/[^/]+$", Fault.delay(Duration.ofMillis(300)))
        .always("GET", ".*/retrieveCloudPcRemoteActionResults", Fault.delay(Duration.ofMillis(300)));
  }

  /** Reads answered late as above, and the POST too: its instance holds the claim for {@code post}. */
  private static void graphAnswersLate(Duration post) {
    readsAnsweredLate();
    tenant.graph().faults().always("POST", ".*/reprovision$", Fault.delay(post));
  }

  /** The claim an instance writes before its POST, written here as if by an instance that is still sending. */
  private static Future<SharedStore.Entry> claimAsAnotherInstance(String pc) {
    return sharedStore.insertIfAbsent(new SharedStore.Key("reprovision", pc), new JsonObject().put("state", "sending"),
        Instant.now().plus(Duration.ofMinutes(2))).map(insert -> {
          assertThat(insert.inserted()).isTrue();
          return insert.entry();
        });
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
