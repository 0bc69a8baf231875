package dev.cloudpc.reprovision.sandbox;

import static dev.cloudpc.reprovision.support.Await.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.AsyncResult;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class GraphFaultsTest extends SandboxTestBase {

  private static final String PC = SandboxSeed.ADELE_CLOUD_PCS.get(1);
  private static final String REPROVISION = ".*/cloudPCs/[^/]+/reprovision";

  @Test
  void queuedFaultsAreUsedOnceInOrder() {
    sandbox.graph().faults()
        .next("POST", REPROVISION, Fault.status(429, "TooManyRequests", Map.of("Retry-After", "1")))
        .next("POST", REPROVISION, Fault.status(503, "ServiceUnavailable"));

    HttpResponse<Buffer> first = reprovision(PC);
    HttpResponse<Buffer> second = reprovision(PC);
    HttpResponse<Buffer> third = reprovision(PC);

    assertThat(first.statusCode()).isEqualTo(429);
    assertThat(first.getHeader("Retry-After")).isEqualTo("1");
    assertThat(graphError(first).getString("code")).isEqualTo("TooManyRequests");
    assertThat(graphError(first).getJsonObject("innerError").getString("request-id"))
        .isEqualTo(first.getHeader("request-id"));
    assertThat(second.statusCode()).isEqualTo(503);
    assertThat(third.statusCode()).isEqualTo(204);
    assertThat(sandbox.graph().executedReprovisions(PC)).isEqualTo(1);
    assertThat(sandbox.graph().count("POST", REPROVISION)).isEqualTo(3);
  }

  @Test
  void faultsOnlyHitMatchingRequests() {
    sandbox.graph().faults().next("POST", REPROVISION, Fault.status(500, "InternalServerError"));

    assertThat(getPc(PC).statusCode()).as("GET does not match a POST rule").isEqualTo(200);
    assertThat(reprovision(PC).statusCode()).isEqualTo(500);
  }

  @Test
  void permanentFaultStaysUntilCleared() {
    sandbox.graph().faults().always("GET", ".*", Fault.status(503, "ServiceUnavailable"));

    assertThat(getPc(PC).statusCode()).isEqualTo(503);
    assertThat(getPc(PC).statusCode()).isEqualTo(503);
    sandbox.graph().faults().clear();
    assertThat(getPc(PC).statusCode()).isEqualTo(200);
  }

  @Test
  void executeThenStatusTakesEffectDespiteTheError() {
    sandbox.graph().faults().next("POST", REPROVISION, Fault.executeThenStatus(500, "InternalServerError"));

    HttpResponse<Buffer> response = reprovision(PC);

    assertThat(response.statusCode()).isEqualTo(500);
    assertThat(sandbox.graph().executedReprovisions(PC)).isEqualTo(1);
    assertThat(sandbox.graph().cloudPc(PC).status()).isEqualTo("provisioning");
  }

  @Test
  void resetDropsTheConnectionWithoutEffect() {
    sandbox.graph().faults().next("POST", REPROVISION, Fault.reset());

    Throwable failure =
        failureOf(reprovisionRequest().sendJsonObject(new JsonObject().put("osVersion", "windows11")));

    assertThat(failure).isNotNull();
    assertThat(sandbox.graph().executedReprovisions(PC)).isZero();
    assertThat(sandbox.graph().count("POST", REPROVISION)).isEqualTo(1);
    assertThat(sandbox.graph().requests().get(0).body()).isEqualTo("{\"osVersion\":\"windows11\"}");
    assertThat(reprovision(PC).statusCode()).as("next request on a new connection").isEqualTo(204);
  }

  @Test
  void executeThenResetTakesEffectBeforeClosing() {
    sandbox.graph().faults().next("POST", REPROVISION, Fault.executeThenReset());

    assertThat(failureOf(reprovisionRequest().send())).isNotNull();
    assertThat(sandbox.graph().executedReprovisions(PC)).isEqualTo(1);
  }

  @Test
  void delayAnswersNormallyLater() {
    sandbox.graph().faults().next("GET", ".*", Fault.delay(Duration.ofMillis(300)));

    long start = System.nanoTime();
    HttpResponse<Buffer> response = getPc(PC);
    long elapsedMillis = (System.nanoTime() - start) / 1_000_000;

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(elapsedMillis).isGreaterThanOrEqualTo(290);
  }

  @Test
  void delayedReprovisionTakesEffectAtOnce() {
    sandbox.graph().faults().next("POST", REPROVISION, Fault.delay(Duration.ofMillis(400)));

    Future<HttpResponse<Buffer>> pending = reprovisionRequest().send();
    eventually(() -> sandbox.graph().executedReprovisions(PC), n -> n == 1, Duration.ofSeconds(2));
    assertThat(pending.isComplete()).isFalse();
    assertThat(await(pending).statusCode()).isEqualTo(204);
  }

  @Test
  void randomFaultsAreRepeatableWithTheSameSeed() {
    List<Integer> firstRun = statuses(42);
    List<Integer> secondRun = statuses(42);

    assertThat(firstRun).isEqualTo(secondRun);
    assertThat(firstRun).contains(200, 503);
    sandbox.graph().faults().clear().random("GET", ".*", 0.0, Fault.status(503, "ServiceUnavailable"), 1);
    assertThat(statusesNow()).containsOnly(200);
  }

  @Test
  void latencyDelaysEveryAnswer() {
    sandbox.graph().setLatency(Duration.ofMillis(200));

    long start = System.nanoTime();
    HttpResponse<Buffer> response = getPc(PC);
    long elapsedMillis = (System.nanoTime() - start) / 1_000_000;

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(elapsedMillis).isGreaterThanOrEqualTo(190);
  }

  @Test
  void resetClearsRecordingsFaultsAndState() {
    sandbox.graph().faults().always("GET", ".*", Fault.status(503, "ServiceUnavailable"));
    reprovision(PC);
    sandbox.graph().failNextRebuild(PC, "x", "y");

    sandbox.graph().reset();

    assertThat(sandbox.graph().requests()).isEmpty();
    assertThat(sandbox.graph().executedReprovisions(PC)).isZero();
    assertThat(sandbox.graph().cloudPc(PC).status()).isEqualTo("provisioned");
    assertThat(getPc(PC).statusCode()).isEqualTo(200);
  }

  private List<Integer> statuses(long seed) {
    sandbox.graph().faults().clear().random("GET", ".*", 0.5, Fault.status(503, "ServiceUnavailable"), seed);
    return statusesNow();
  }

  private List<Integer> statusesNow() {
    List<Integer> statuses = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      statuses.add(getPc(PC).statusCode());
    }
    return statuses;
  }

  private HttpRequest<Buffer> reprovisionRequest() {
    return graph(HttpMethod.POST, "/beta/deviceManagement/virtualEndpoint/cloudPCs/" + PC + "/reprovision");
  }

  /** Waits for the request to fail (e.g. the connection was closed) and returns why; null if it succeeded. */
  private Throwable failureOf(Future<HttpResponse<Buffer>> response) {
    AsyncResult<HttpResponse<Buffer>> result = await(response.transform(Future::succeededFuture));
    return result.failed() ? result.cause() : null;
  }
}
