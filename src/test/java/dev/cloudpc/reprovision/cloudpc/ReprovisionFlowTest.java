package dev.cloudpc.reprovision.cloudpc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cloudpc.reprovision.sandbox.Fault;
import dev.cloudpc.reprovision.sandbox.RecordedRequest;
import dev.cloudpc.reprovision.sandbox.SandboxSeed;
import dev.cloudpc.reprovision.support.StrictVertxTest;
import dev.cloudpc.reprovision.support.TestStack;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxTestContext;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The reprovision routes end to end against the sandbox tenant: what the caller gets and what reached Graph. */
class ReprovisionFlowTest extends StrictVertxTest {
  private static final String ADELE_PC = SandboxSeed.ADELE_CLOUD_PCS.get(0);
  private static final String MEGAN_PC = SandboxSeed.MEGAN_CLOUD_PCS.get(0);

  private TestStack stack;

  @BeforeEach
  void start() {
    stack = TestStack.start(vertx, Map.of());
  }

  @AfterEach
  void stop() {
    stack.close();
  }

  @Test
  void adminRouteAnswers202AndSendsExactlyOnePostWithUserAgentAndCorrelation(VertxTestContext test) {
    String clientRequestId = "6f1a2b3c-4d5e-4f60-8a7b-9c0d1e2f3a4b";
    stack.request(io.vertx.core.http.HttpMethod.POST, "/api/cloudpcs/" + MEGAN_PC + "/reprovision",
            stack.adminToken())
        .putHeader("Content-Type", "application/json")
        .putHeader("client-request-id", clientRequestId)
        .sendBuffer(Buffer.buffer("{\"osVersion\":\"windows11\",\"userAccountType\":\"standardUser\"}"))
        .onComplete(test.succeeding(response -> test.verify(() -> {
          assertThat(response.statusCode()).isEqualTo(202);
          JsonObject body = response.bodyAsJsonObject();
          assertThat(body.getString("cloudPcId")).isEqualTo(MEGAN_PC);
          assertThat(body.getString("status")).isEqualTo("accepted");
          assertThat(body.getString("graphRequestId")).isNotBlank();
          assertThat(body.getString("clientRequestId")).isEqualTo(clientRequestId);
          assertThat(body.getString("graphRoute"))
              .isEqualTo("POST /deviceManagement/virtualEndpoint/cloudPCs/" + MEGAN_PC + "/reprovision");
          assertThat(response.getHeader("client-request-id")).isEqualTo(clientRequestId);
          assertThat(response.getHeader("request-id")).isEqualTo(body.getString("graphRequestId"));
          assertThat(response.getHeader("Location")).contains("/api/cloudpcs/" + MEGAN_PC + "/operations/");
          assertThat(response.getHeader("Retry-After")).isEqualTo("60");

          List<RecordedRequest> posts = posts();
          assertThat(posts).hasSize(1);
          RecordedRequest post = posts.get(0);
          assertThat(post.path()).isEqualTo("/beta/deviceManagement/virtualEndpoint/cloudPCs/" + MEGAN_PC
              + "/reprovision");
          assertThat(post.header("user-agent")).startsWith("cloudpc-reprovision/");
          assertThat(post.header("authorization")).startsWith("Bearer ");
          assertThat(post.header("client-request-id")).isEqualTo(clientRequestId);
          assertThat(new JsonObject(post.body())).isEqualTo(new JsonObject()
              .put("osVersion", "windows11").put("userAccountType", "standardUser"));
          assertThat(stack.tenant.graph().executedReprovisions(MEGAN_PC)).isEqualTo(1);
          test.completeNow();
        })));
  }

  @Test
  void userReprovisionsOwnPcThroughMeRouteWithAppOnlyGraphCall(VertxTestContext test) {
    stack.post("/api/me/cloudpcs/" + ADELE_PC + "/reprovision", stack.userToken(SandboxSeed.ADELE))
        .onComplete(test.succeeding(response -> test.verify(() -> {
          assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(202);
          assertThat(response.bodyAsJsonObject().getString("route")).isEqualTo("me");
          List<RecordedRequest> posts = posts();
          assertThat(posts).hasSize(1);
          assertThat(posts.get(0).path()).endsWith("/deviceManagement/virtualEndpoint/cloudPCs/" + ADELE_PC
              + "/reprovision");
          assertThat(posts.get(0).body()).isIn("", "{}");
          test.completeNow();
        })));
  }

  @Test
  void userCannotReprovisionSomeoneElsesPcOnAnyRoute(VertxTestContext test) {
    String adele = stack.userToken(SandboxSeed.ADELE);
    Future.all(
            stack.post("/api/me/cloudpcs/" + MEGAN_PC + "/reprovision", adele),
            stack.post("/api/users/" + SandboxSeed.MEGAN.id() + "/cloudpcs/" + MEGAN_PC + "/reprovision", adele),
            stack.post("/api/users/" + SandboxSeed.ADELE.id() + "/cloudpcs/" + MEGAN_PC + "/reprovision", adele),
            stack.post("/api/users/" + SandboxSeed.MEGAN.userPrincipalName() + "/cloudpcs/" + MEGAN_PC
                + "/reprovision", adele),
            stack.post("/api/cloudpcs/" + ADELE_PC + "/reprovision", adele))
        .onComplete(test.succeeding(all -> test.verify(() -> {
          for (int i = 0; i < all.size(); i++) {
            HttpResponse<Buffer> response = all.resultAt(i);
            assertThat(response.statusCode()).as("request %d: %s", i, response.bodyAsString()).isEqualTo(403);
            assertThat(response.getHeader("Content-Type")).isEqualTo("application/problem+json");
            assertThat(response.bodyAsJsonObject().getString("detail")).isNotBlank();
          }
          assertThat(posts()).isEmpty();
          test.completeNow();
        })));
  }

  @Test
  void usersRouteForAdminChecksThePcBelongsToTheUser(VertxTestContext test) {
    String admin = stack.adminToken();
    stack.post("/api/users/" + SandboxSeed.ADELE.userPrincipalName() + "/cloudpcs/" + MEGAN_PC + "/reprovision",
            admin)
        .compose(wrongUser -> stack.post("/api/users/" + SandboxSeed.MEGAN.id() + "/cloudpcs/" + MEGAN_PC
            + "/reprovision", admin).map(rightUser -> List.of(wrongUser, rightUser)))
        .onComplete(test.succeeding(answers -> test.verify(() -> {
          assertThat(answers.get(0).statusCode()).isEqualTo(404);
          assertThat(answers.get(0).bodyAsJsonObject().getString("type")).endsWith("cloud-pc-not-assigned");
          assertThat(answers.get(1).statusCode()).isEqualTo(202);
          assertThat(posts()).hasSize(1);
          test.completeNow();
        })));
  }

  @Test
  void pollingTheLocationSeesRunningThenSucceeded(VertxTestContext test) {
    String admin = stack.adminToken();
    stack.post("/api/cloudpcs/" + MEGAN_PC + "/reprovision", admin)
        .compose(accepted -> {
          String location = accepted.getHeader("Location");
          return stack.get("/api/cloudpcs/" + MEGAN_PC, admin).compose(status -> pollUntilDone(location, admin,
              new ArrayList<>()).map(codes -> Map.entry(status, codes)));
        })
        .onComplete(test.succeeding(result -> test.verify(() -> {
          assertThat(result.getKey().bodyAsJsonObject().getString("status")).isEqualTo("provisioning");
          assertThat(result.getKey().bodyAsJsonObject().getBoolean("reprovisionRunning")).isTrue();
          List<Integer> codes = result.getValue();
          assertThat(codes.get(0)).isEqualTo(202);
          assertThat(codes.get(codes.size() - 1)).isEqualTo(200);
          assertThat(posts()).hasSize(1);
          test.completeNow();
        })));
  }

  @Test
  void aFailedRebuildEndsThePollWithAProblemCarryingGraphsDetail(VertxTestContext test) {
    stack.tenant.graph().failNextRebuild(MEGAN_PC, "intuneEnrollFailed", "The device could not enroll in Intune.");
    String admin = stack.adminToken();
    stack.post("/api/cloudpcs/" + MEGAN_PC + "/reprovision", admin)
        .compose(accepted -> pollUntilDone(accepted.getHeader("Location"), admin, new ArrayList<>())
            .compose(codes -> stack.client.getAbs(accepted.getHeader("Location"))
                .putHeader("x-functions-key", stack.tenant.functionKey())
                .putHeader("Authorization", "Bearer " + admin).send()))
        .onComplete(test.succeeding(last -> test.verify(() -> {
          assertThat(last.statusCode()).isEqualTo(422);
          assertThat(last.getHeader("Content-Type")).isEqualTo("application/problem+json");
          assertThat(last.bodyAsJsonObject().getString("detail")).contains("intuneEnrollFailed");
          test.completeNow();
        })));
  }

  @Test
  void aSecondRequestWhileRunningIsAnsweredAlreadyRunningWithoutASecondPost(VertxTestContext test) {
    String admin = stack.adminToken();
    stack.post("/api/cloudpcs/" + MEGAN_PC + "/reprovision", admin)
        .compose(first -> stack.post("/api/cloudpcs/" + MEGAN_PC + "/reprovision", admin)
            .map(second -> List.of(first, second)))
        .onComplete(test.succeeding(answers -> test.verify(() -> {
          assertThat(answers.get(1).statusCode()).isEqualTo(202);
          assertThat(answers.get(1).bodyAsJsonObject().getString("status")).isEqualTo("alreadyRunning");
          assertThat(answers.get(1).getHeader("Location")).isNotBlank();
          assertThat(posts()).hasSize(1);
          test.completeNow();
        })));
  }

  @Test
  void concurrentRequestsForOnePcCauseOnePost(VertxTestContext test) {
    String admin = stack.adminToken();
    List<Future<HttpResponse<Buffer>>> all = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      all.add(stack.post("/api/cloudpcs/" + MEGAN_PC + "/reprovision", admin));
    }
    Future.all(all).onComplete(test.succeeding(done -> test.verify(() -> {
      long accepted = all.stream().filter(f -> "accepted".equals(f.result().bodyAsJsonObject().getString("status")))
          .count();
      assertThat(all).allSatisfy(f -> assertThat(f.result().statusCode()).isEqualTo(202));
      assertThat(accepted).isEqualTo(1);
      assertThat(posts()).hasSize(1);
      assertThat(stack.tenant.graph().executedReprovisions(MEGAN_PC)).isEqualTo(1);
      test.completeNow();
    })));
  }

  @Test
  void idempotencyKeyReplaysTheFirstAnswerAndRefusesADifferentRequest(VertxTestContext test) {
    String admin = stack.adminToken();
    String key = "flow-run-7781";
    Future<HttpResponse<Buffer>> first = stack.request(io.vertx.core.http.HttpMethod.POST,
        "/api/cloudpcs/" + MEGAN_PC + "/reprovision", admin).putHeader("Idempotency-Key", key).send();
    first.compose(a -> stack.request(io.vertx.core.http.HttpMethod.POST, "/api/cloudpcs/" + MEGAN_PC
                + "/reprovision", admin).putHeader("Idempotency-Key", key).send())
        .compose(replay -> stack.request(io.vertx.core.http.HttpMethod.POST, "/api/cloudpcs/" + ADELE_PC
                + "/reprovision", admin).putHeader("Idempotency-Key", key).send()
            .map(mismatch -> List.of(first.result(), replay, mismatch)))
        .onComplete(test.succeeding(answers -> test.verify(() -> {
          assertThat(answers.get(0).statusCode()).isEqualTo(202);
          assertThat(answers.get(1).statusCode()).isEqualTo(202);
          assertThat(answers.get(1).bodyAsString()).isEqualTo(answers.get(0).bodyAsString());
          assertThat(answers.get(1).getHeader("Idempotent-Replayed")).isEqualTo("true");
          assertThat(answers.get(2).statusCode()).isEqualTo(422);
          assertThat(posts()).hasSize(1);
          test.completeNow();
        })));
  }

  @Test
  void dryRunChecksEverythingAndShowsTheRequestWithoutPosting(VertxTestContext test) {
    stack.postJson("/api/cloudpcs/" + MEGAN_PC + "/reprovision?dryRun=true", stack.adminToken(),
            "{\"osVersion\":\"windows10\"}")
        .onComplete(test.succeeding(response -> test.verify(() -> {
          assertThat(response.statusCode()).isEqualTo(200);
          JsonObject body = response.bodyAsJsonObject();
          assertThat(body.getBoolean("dryRun")).isTrue();
          JsonObject wouldSend = body.getJsonObject("wouldSend");
          assertThat(wouldSend.getString("method")).isEqualTo("POST");
          assertThat(wouldSend.getString("url")).isEqualTo(stack.tenant.graphBaseUrl()
              + "/beta/deviceManagement/virtualEndpoint/cloudPCs/" + MEGAN_PC + "/reprovision");
          assertThat(wouldSend.getJsonObject("body")).isEqualTo(new JsonObject().put("osVersion", "windows10"));
          assertThat(posts()).isEmpty();
          assertThat(stack.tenant.graph().count("GET", ".*/getSupportedCloudPcRemoteActions")).isEqualTo(1);
          test.completeNow();
        })));
  }

  @Test
  void withoutRemoteActionResultsTheGuardFallsBackToThePcStatus(VertxTestContext test) {
    stack.tenant.graph().faults().always("GET", ".*/retrieveCloudPcRemoteActionResults",
        Fault.status(404, "ResourceNotFound"));
    String admin = stack.adminToken();
    stack.post("/api/cloudpcs/" + MEGAN_PC + "/reprovision", admin)
        .compose(first -> stack.post("/api/cloudpcs/" + MEGAN_PC + "/reprovision", admin)
            .map(second -> List.of(first, second)))
        .onComplete(test.succeeding(answers -> test.verify(() -> {
          assertThat(answers.get(0).statusCode()).isEqualTo(202);
          assertThat(answers.get(1).bodyAsJsonObject().getString("status")).isEqualTo("alreadyRunning");
          assertThat(posts()).hasSize(1);
          test.completeNow();
        })));
  }

  @Test
  void anUnreadablePcFailsClosedWithoutAPost(VertxTestContext test) {
    stack.tenant.graph().faults().always("GET", ".*/cloudPCs/" + MEGAN_PC, Fault.status(500, "InternalServerError"));
    stack.post("/api/cloudpcs/" + MEGAN_PC + "/reprovision", stack.adminToken())
        .onComplete(test.succeeding(response -> test.verify(() -> {
          assertThat(response.statusCode()).isEqualTo(502);
          assertThat(response.getHeader("Content-Type")).isEqualTo("application/problem+json");
          assertThat(response.bodyAsJsonObject().getString("graphCode")).isEqualTo("InternalServerError");
          assertThat(posts()).isEmpty();
          test.completeNow();
        })));
  }

  /** One read decides: what it cannot settle is refused, never taken as "nothing under way". */
  @Test
  void whatTheOneReadCannotSettleIsRefusedWithoutAPost(VertxTestContext test) {
    String omitted = SandboxSeed.ADELE_CLOUD_PCS.get(1);
    String otherAction = SandboxSeed.ADELE_CLOUD_PCS.get(2);
    String oddState = SandboxSeed.MEGAN_CLOUD_PCS.get(1);
    stack.tenant.graph().omitLastRemoteActionResult(omitted);
    stack.tenant.graph().setLastRemoteAction(otherAction, "Restore", "active");
    stack.tenant.graph().setLastRemoteAction(oddState, "Reprovision", "none");
    String admin = stack.adminToken();
    Future.all(stack.post("/api/cloudpcs/" + omitted + "/reprovision", admin),
            stack.post("/api/cloudpcs/" + otherAction + "/reprovision", admin),
            stack.post("/api/cloudpcs/" + oddState + "/reprovision", admin))
        .onComplete(test.succeeding(all -> test.verify(() -> {
          assertProblem(all.resultAt(0), 502, "graph-answer-incomplete", "lastRemoteActionResult");
          assertProblem(all.resultAt(1), 409, "remote-action-in-progress", "'Restore' remote action active");
          assertProblem(all.resultAt(2), 502, "remote-action-state-unknown", "'none'");
          assertThat(posts()).isEmpty();
          assertThat(stack.tenant.graph().count("GET", ".*/retrieveCloudPcRemoteActionResults"))
              .as("the guard reads nothing but the PC").isZero();
          test.completeNow();
        })));
  }

  @Test
  void aRemoteActionThatEndedLeavesTheWayOpen(VertxTestContext test) {
    stack.tenant.graph().setLastRemoteAction(MEGAN_PC, "Restore", "done");
    stack.post("/api/cloudpcs/" + MEGAN_PC + "/reprovision", stack.adminToken())
        .onComplete(test.succeeding(response -> test.verify(() -> {
          assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(202);
          assertThat(posts()).hasSize(1);
          test.completeNow();
        })));
  }

  private static void assertProblem(HttpResponse<Buffer> response, int status, String slug, String detailPart) {
    assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(status);
    assertThat(response.getHeader("Content-Type")).isEqualTo("application/problem+json");
    JsonObject body = response.bodyAsJsonObject();
    assertThat(body.getString("type")).endsWith(":" + slug);
    assertThat(body.getString("detail")).contains(detailPart).contains("Nothing was sent");
  }

  @Test
  void aSignedLocationIsPolledWithoutATokenButOnlyForItsOwnOperation(VertxTestContext test) {
    stack.post("/api/cloudpcs/" + MEGAN_PC + "/reprovision", stack.adminToken())
        .compose(accepted -> {
          String location = accepted.getHeader("Location");
          String tampered = location.replaceAll("sig=([0-9]+)\\.", "sig=$1.x");
          String otherPc = location.replace(MEGAN_PC, ADELE_PC);
          return Future.all(poll(location), poll(tampered), poll(otherPc));
        })
        .onComplete(test.succeeding(all -> test.verify(() -> {
          assertThat(all.<HttpResponse<Buffer>>resultAt(0).statusCode()).isEqualTo(202);
          assertThat(all.<HttpResponse<Buffer>>resultAt(1).statusCode()).isEqualTo(401);
          assertThat(all.<HttpResponse<Buffer>>resultAt(2).statusCode()).isEqualTo(401);
          test.completeNow();
        })));
  }

  @Test
  void aKeyInTheUrlIsCarriedIntoLocationUnlessAKeyAloneMakesAnAdmin(VertxTestContext test) {
    TestStack keyOnly = TestStack.start(vertx, stack.tenant, Map.of("AUTH_FUNCTION_KEY_CALLERS_ARE_ADMINS", "true"));
    String code = "?code=" + stack.tenant.functionKey();
    stack.client.post("/api/cloudpcs/" + MEGAN_PC + "/reprovision" + code)
        .putHeader("Authorization", "Bearer " + stack.adminToken()).send()
        .compose(withToken -> keyOnly.client.post("/api/cloudpcs/" + ADELE_PC + "/reprovision" + code).send()
            .map(keyAlone -> List.of(withToken, keyAlone)))
        .eventually(() -> keyOnly.app.close())
        .onComplete(test.succeeding(answers -> test.verify(() -> {
          assertThat(answers.get(0).statusCode()).isEqualTo(202);
          assertThat(answers.get(0).getHeader("Location")).contains("sig=").contains("code=");
          assertThat(answers.get(1).statusCode()).as(answers.get(1).bodyAsString()).isEqualTo(202);
          assertThat(answers.get(1).getHeader("Location")).contains("sig=").doesNotContain("code=");
          test.completeNow();
        })));
  }

  private Future<HttpResponse<Buffer>> poll(String url) {
    return stack.client.getAbs(url).putHeader("x-functions-key", stack.tenant.functionKey()).send();
  }

  private List<RecordedRequest> posts() {
    return stack.tenant.graph().requests().stream()
        .filter(r -> r.method().equals("POST") && r.path().endsWith("/reprovision")).toList();
  }

  /** Follows Location while 202, as Logic Apps does, but without waiting Retry-After (the rebuild is short). */
  private Future<List<Integer>> pollUntilDone(String location, String token, List<Integer> codes) {
    return stack.client.getAbs(location).putHeader("x-functions-key", stack.tenant.functionKey())
        .putHeader("Authorization", "Bearer " + token).send()
        .compose(response -> {
          codes.add(response.statusCode());
          if (response.statusCode() != 202 || codes.size() > 200) {
            return Future.succeededFuture(codes);
          }
          return vertx.timer(50).compose(v -> pollUntilDone(response.getHeader("Location"), token, codes));
        });
  }
}
