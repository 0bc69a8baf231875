package dev.cloudpc.reprovision.graph;

import static dev.cloudpc.reprovision.graph.GraphTestKit.adminRoute;
import static dev.cloudpc.reprovision.graph.GraphTestKit.elapsedMillis;
import static dev.cloudpc.reprovision.graph.GraphTestKit.graphReprovision;
import static dev.cloudpc.reprovision.graph.GraphTestKit.problem;
import static dev.cloudpc.reprovision.graph.GraphTestKit.reprovisionPosts;
import static org.assertj.core.api.Assertions.assertThat;

import dev.cloudpc.reprovision.sandbox.Fault;
import dev.cloudpc.reprovision.sandbox.RecordedRequest;
import dev.cloudpc.reprovision.sandbox.SandboxGraph;
import dev.cloudpc.reprovision.sandbox.SandboxSeed;
import dev.cloudpc.reprovision.support.StrictVertxTest;
import dev.cloudpc.reprovision.support.TestStack;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxTestContext;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Retries, deadlines and error mapping against the fault-injecting fake Graph: only what Graph said it did not
 * process (429, 503) is sent again, always inside the request's deadline; a reprovision POST that may have run is
 * never repeated — not by the retry policy, not by a caller's retry — and is reported with Graph's request-id.
 */
class GraphRetryTest extends StrictVertxTest {
  private static final String PC = SandboxSeed.MEGAN_CLOUD_PCS.get(0);
  private static final String OTHER_PC = SandboxSeed.MEGAN_CLOUD_PCS.get(1);
  private static final String THIRD_PC = SandboxSeed.ADELE_CLOUD_PCS.get(0);

  private TestStack stack;

  @AfterEach
  void stop() {
    if (stack != null) {
      stack.close();
    }
  }

  private SandboxGraph start(int deadlineSeconds) {
    stack = GraphTestKit.start(vertx, Map.of("REQUEST_DEADLINE_SECONDS", Integer.toString(deadlineSeconds)));
    return stack.tenant.graph();
  }

  private Future<HttpResponse<Buffer>> reprovision(String cloudPcId) {
    return stack.post(adminRoute(cloudPcId), stack.adminToken());
  }

  @Test
  void throttledOnceWithRetryAfterSecondsIsRetriedAfterThatWaitAndWipesOnce(VertxTestContext test) {
    SandboxGraph graph = start(10);
    graph.faults().next("POST", graphReprovision(PC),
        Fault.status(429, "TooManyRequests", Map.of("Retry-After", "1")));
    long start = System.nanoTime();
    reprovision(PC).onComplete(test.succeeding(response -> test.verify(() -> {
      assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(202);
      assertThat(response.bodyAsJsonObject().getString("status")).isEqualTo("accepted");
      assertThat(elapsedMillis(start)).as("waited Graph's Retry-After").isGreaterThanOrEqualTo(950);
      List<RecordedRequest> posts = reprovisionPosts(stack, PC);
      assertThat(posts).hasSize(2);
      assertThat(posts.get(1).header("client-request-id")).isEqualTo(posts.get(0).header("client-request-id"));
      assertThat(graph.executedReprovisions(PC)).isEqualTo(1);
      test.completeNow();
    })));
  }

  @Test
  void unavailableTwiceWithoutRetryAfterIsRetriedWithBackoffThenAccepted(VertxTestContext test) {
    SandboxGraph graph = start(10);
    graph.faults().next("POST", graphReprovision(PC), Fault.status(503, "ServiceUnavailable"))
        .next("POST", graphReprovision(PC), Fault.status(503, "ServiceUnavailable"));
    reprovision(PC).onComplete(test.succeeding(response -> test.verify(() -> {
      assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(202);
      assertThat(reprovisionPosts(stack, PC)).hasSize(3);
      assertThat(graph.executedReprovisions(PC)).isEqualTo(1);
      test.completeNow();
    })));
  }

  @Test
  void retryAfterAsAnHttpDateIsHonoured(VertxTestContext test) {
    SandboxGraph graph = start(10);
    String twoSecondsAhead = DateTimeFormatter.RFC_1123_DATE_TIME
        .format(ZonedDateTime.now(ZoneOffset.UTC).plusSeconds(2));
    graph.faults().next("POST", graphReprovision(PC),
        Fault.status(429, "TooManyRequests", Map.of("Retry-After", twoSecondsAhead)));
    long start = System.nanoTime();
    reprovision(PC).onComplete(test.succeeding(response -> test.verify(() -> {
      assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(202);
      // An HTTP date has whole seconds: "two seconds ahead" is between one and two seconds away.
      assertThat(elapsedMillis(start)).isBetween(800L, 3_000L);
      assertThat(reprovisionPosts(stack, PC)).hasSize(2);
      assertThat(graph.executedReprovisions(PC)).isEqualTo(1);
      test.completeNow();
    })));
  }

  @Test
  void retryAfterBeyondTheDeadlineIsPassedToTheCallerAtOnce(VertxTestContext test) {
    SandboxGraph graph = start(3);
    graph.faults().next("POST", graphReprovision(PC),
        Fault.status(429, "TooManyRequests", Map.of("Retry-After", "30")));
    long start = System.nanoTime();
    reprovision(PC).onComplete(test.succeeding(response -> test.verify(() -> {
      assertThat(elapsedMillis(start)).as("no waiting for a retry that cannot fit").isLessThan(1_500);
      JsonObject body = problem(response, 429, "graph-throttled");
      assertThat(response.getHeader("Retry-After")).isEqualTo("30");
      assertThat(body.getString("graphCode")).isEqualTo("TooManyRequests");
      assertThat(body.getString("graphRequestId")).isNotBlank();
      assertThat(reprovisionPosts(stack, PC)).hasSize(1);
      assertThat(graph.executedReprovisions(PC)).isZero();
      test.completeNow();
    })));
  }

  @Test
  void throttledOnEveryAttemptEndsAs429AfterTheBoundedNumberOfAttempts(VertxTestContext test) {
    SandboxGraph graph = start(10);
    graph.faults().always("POST", graphReprovision(PC),
        Fault.status(429, "TooManyRequests", Map.of("Retry-After", "0")));
    reprovision(PC).onComplete(test.succeeding(response -> test.verify(() -> {
      problem(response, 429, "graph-throttled");
      assertThat(response.getHeader("Retry-After")).isEqualTo("1");
      assertThat(reprovisionPosts(stack, PC)).hasSize(stack.app.settings().graphMaxAttempts());
      assertThat(graph.executedReprovisions(PC)).isZero();
      test.completeNow();
    })));
  }

  @Test
  void serverErrorAfterActingIsNotRetriedReportedAs502AndNotRepeatedForTheCallersRetry(VertxTestContext test) {
    SandboxGraph graph = start(10);
    graph.faults().next("POST", graphReprovision(PC), Fault.executeThenStatus(500, "InternalServerError"));
    reprovision(PC)
        .compose(first -> reprovision(PC).map(second -> List.of(first, second)))
        .onComplete(test.succeeding(answers -> test.verify(() -> {
          JsonObject body = problem(answers.get(0), 502, "graph-error");
          assertThat(body.getString("graphCode")).isEqualTo("InternalServerError");
          assertThat(body.getInteger("graphStatus")).isEqualTo(500);
          assertThat(body.getString("graphRequestId")).isNotBlank();
          assertThat(answers.get(0).getHeader("request-id")).isEqualTo(body.getString("graphRequestId"));
          assertThat(body.getString("detail")).contains("may or may not have acted");
          // The caller's automatic retry learns what Graph now lists (the reprovision it ran); no second wipe.
          assertThat(answers.get(1).statusCode()).isEqualTo(202);
          assertThat(answers.get(1).bodyAsJsonObject().getString("status")).isEqualTo("alreadyRunning");
          assertThat(reprovisionPosts(stack, PC)).hasSize(1);
          assertThat(graph.executedReprovisions(PC)).isEqualTo(1);
          test.completeNow();
        })));
  }

  @Test
  void connectionResetAfterThePostArrivedIsNotRetried(VertxTestContext test) {
    SandboxGraph graph = start(10);
    graph.faults().next("POST", graphReprovision(PC), Fault.executeThenReset());
    reprovision(PC).onComplete(test.succeeding(response -> test.verify(() -> {
      JsonObject body = problem(response, 502, "graph-connection-lost");
      assertThat(body.getString("detail")).contains("may have reached Graph");
      assertThat(body.getString("clientRequestId")).isNotBlank();
      assertThat(reprovisionPosts(stack, PC)).hasSize(1);
      assertThat(graph.executedReprovisions(PC)).isEqualTo(1);
      test.completeNow();
    })));
  }

  @Test
  void graphSlowerThanTheDeadlineIsAnswered504OnTime(VertxTestContext test) {
    int deadlineSeconds = 2;
    SandboxGraph graph = start(deadlineSeconds);
    graph.faults().next("POST", graphReprovision(PC), Fault.delay(Duration.ofSeconds(deadlineSeconds + 3)));
    long start = System.nanoTime();
    reprovision(PC).onComplete(test.succeeding(response -> test.verify(() -> {
      long elapsed = elapsedMillis(start);
      assertThat(elapsed).as("answered at the deadline, not when Graph finally answers")
          .isBetween(deadlineSeconds * 1000L - 300, deadlineSeconds * 1000L + 750);
      JsonObject body = problem(response, 504, "graph-timeout");
      assertThat(body.getString("detail")).contains("may have reached Graph");
      assertThat(reprovisionPosts(stack, PC)).hasSize(1);
      assertThat(graph.executedReprovisions(PC)).isEqualTo(1);
      test.completeNow();
    })));
  }

  @Test
  void graphRefusingTheAppOnlyIdentityIsAServerProblemNamingThePermission(VertxTestContext test) {
    SandboxGraph graph = start(10);
    graph.faults().next("POST", graphReprovision(PC), Fault.status(403, "Authorization_RequestDenied"));
    reprovision(PC).onComplete(test.succeeding(response -> test.verify(() -> {
      JsonObject body = problem(response, 502, "graph-permission-missing");
      assertThat(body.getString("detail")).contains("CloudPC.ReadWrite.All").contains("not the caller's");
      assertThat(body.getInteger("graphStatus")).isEqualTo(403);
      // A 401 is sent again with a new token (TokenRefusalTest); a 403 never is.
      assertThat(reprovisionPosts(stack, PC)).hasSize(1);
      assertThat(graph.executedReprovisions(PC)).isZero();
      test.completeNow();
    })));
  }

  @Test
  void graphClientErrorsKeepTheirStatusAndCarryGraphsCode(VertxTestContext test) {
    SandboxGraph graph = start(10);
    graph.faults().next("POST", graphReprovision(PC), Fault.status(400, "BadRequest"))
        .next("POST", graphReprovision(OTHER_PC), Fault.status(404, "ResourceNotFound"))
        .next("POST", graphReprovision(THIRD_PC), Fault.status(409, "Conflict"));
    Future.all(reprovision(PC), reprovision(OTHER_PC), reprovision(THIRD_PC))
        .onComplete(test.succeeding(all -> test.verify(() -> {
          assertThat(problem(all.resultAt(0), 400, "graph-bad-request").getString("graphCode"))
              .isEqualTo("BadRequest");
          assertThat(problem(all.resultAt(1), 404, "graph-not-found").getString("graphCode"))
              .isEqualTo("ResourceNotFound");
          assertThat(problem(all.resultAt(2), 409, "graph-conflict").getString("graphCode"))
              .isEqualTo("Conflict");
          assertThat(graph.count("POST", ".*/reprovision")).isEqualTo(3);
          test.completeNow();
        })));
  }

  @Test
  void failedReadsAreRetriedBecauseAGetChangesNothing(VertxTestContext test) {
    SandboxGraph graph = start(10);
    graph.faults().next("GET", ".*/cloudPCs/" + PC, Fault.status(503, "ServiceUnavailable"))
        .next("GET", ".*/cloudPCs/" + PC, Fault.reset());
    reprovision(PC).onComplete(test.succeeding(response -> test.verify(() -> {
      assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(202);
      assertThat(graph.count("GET", ".*/cloudPCs/" + PC)).as("503, reset, then read").isEqualTo(3);
      assertThat(reprovisionPosts(stack, PC)).hasSize(1);
      assertThat(graph.executedReprovisions(PC)).isEqualTo(1);
      test.completeNow();
    })));
  }
}
