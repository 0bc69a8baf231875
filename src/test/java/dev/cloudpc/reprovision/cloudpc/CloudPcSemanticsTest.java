package dev.cloudpc.reprovision.cloudpc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cloudpc.reprovision.sandbox.Fault;
import dev.cloudpc.reprovision.sandbox.RecordedRequest;
import dev.cloudpc.reprovision.sandbox.SandboxSeed;
import dev.cloudpc.reprovision.sandbox.SandboxUserSettings;
import dev.cloudpc.reprovision.support.StrictVertxTest;
import dev.cloudpc.reprovision.support.TestStack;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxTestContext;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The product against Microsoft's documented Cloud PC semantics, end to end with the sandbox tenant (which follows
 * them) and its fault plan: status allowlist, every actionState, the Windows 365 reset setting, paging, v1.0, and
 * the admin route's two round trips. Each test asserts the answer, the problem and what reached Graph.
 */
class CloudPcSemanticsTest extends StrictVertxTest {
  private static final String ADELE_PC = SandboxSeed.ADELE_CLOUD_PCS.get(0);
  private static final String MEGAN_PC = SandboxSeed.MEGAN_CLOUD_PCS.get(0);

  private TestStack stack;

  private TestStack stack(Map<String, String> settings) {
    stack = TestStack.start(vertx, settings);
    return stack;
  }

  @AfterEach
  void stop() {
    if (stack != null) {
      stack.close();
    }
  }

  // ---- 1 and 3: allowlist of statuses ----

  @ParameterizedTest
  @ValueSource(strings = {"movingRegion", "pendingProvision", "preparing", "inGracePeriod", "notProvisioned",
      "resizing", "unknownFutureValue", "someStatusGraphAddsNextYear"})
  void aStatusOutsideTheAllowlistIsRefusedWith409NamingItAndNothingIsSent(String status, VertxTestContext test) {
    stack(Map.of());
    stack.tenant.graph().setStatus(MEGAN_PC, status);
    stack.post("/api/cloudpcs/" + MEGAN_PC + "/reprovision", stack.adminToken())
        .onComplete(test.succeeding(response -> test.verify(() -> {
          assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(409);
          assertThat(response.getHeader("Content-Type")).isEqualTo("application/problem+json");
          JsonObject problem = response.bodyAsJsonObject();
          assertThat(problem.getString("type")).endsWith("cloud-pc-not-reprovisionable");
          assertThat(problem.getString("cloudPcStatus")).isEqualTo(status);
          assertThat(problem.getString("detail")).contains("'" + status + "'").contains("Nothing was sent")
              .doesNotContainIgnoringCase("already running");
          if (status.equals("pendingProvision")) {
            assertThat(problem.getString("detail")).contains("licence");
          }
          assertThat(stack.reprovisionPosts()).isZero();
          // the status was read with the Prefer header, else movingRegion/preparing would be unknownFutureValue
          assertThat(stack.tenant.graph().requests()).filteredOn(r -> r.path().endsWith("/cloudPCs/" + MEGAN_PC))
              .isNotEmpty().allSatisfy(r -> assertThat(r.header("prefer")).isEqualTo("include-unknown-enum-members"));
          test.completeNow();
        })));
  }

  @ParameterizedTest
  @ValueSource(strings = {"provisionedWithWarnings", "failed"})
  void allowlistedStatusesOtherThanProvisionedAreReprovisioned(String status, VertxTestContext test) {
    stack(Map.of());
    stack.tenant.graph().setStatus(MEGAN_PC, status);
    stack.post("/api/cloudpcs/" + MEGAN_PC + "/reprovision", stack.adminToken())
        .onComplete(test.succeeding(response -> test.verify(() -> {
          assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(202);
          assertThat(stack.reprovisionPosts()).isEqualTo(1);
          test.completeNow();
        })));
  }

  // ---- two round trips before the 202 on the admin route: one read, then the POST ----

  @Test
  void adminRouteReadsThePcOnceWithItsLastRemoteActionThenPosts(VertxTestContext test) {
    stack(Map.of());
    stack.post("/api/cloudpcs/" + MEGAN_PC + "/reprovision", stack.adminToken())
        .onComplete(test.succeeding(response -> test.verify(() -> {
          assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(202);
          List<RecordedRequest> seen = stack.tenant.graph().requests();
          assertThat(seen).extracting(r -> r.method() + " " + r.path().replaceFirst(".*/cloudPCs/[^/]+", "…"))
              .containsExactly("GET …", "POST …/reprovision");
          assertThat(seen.get(0).query()).contains("$select=").contains("lastRemoteActionResult").contains("status");
          assertThat(seen.get(0).header("prefer")).isEqualTo("include-unknown-enum-members");
          test.completeNow();
        })));
  }

  // ---- 2: honest outcomes ----

  @ParameterizedTest
  @ValueSource(strings = {"failed", "canceled", "notSupported"})
  void aRebuildThatGraphReportsFailedCanceledOrNotSupportedIsA422WithItsStatusDetail(String state,
                                                                                       VertxTestContext test) {
    stack(Map.of("POLL_RETRY_AFTER_SECONDS", "1"));
    stack.tenant.graph().endNextRebuild(MEGAN_PC, state, "code-" + state, "Graph says " + state + ".");
    stack.post("/api/cloudpcs/" + MEGAN_PC + "/reprovision", stack.adminToken())
        .compose(this::pollToTheEnd)
        .onComplete(test.succeeding(response -> test.verify(() -> {
          assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(422);
          JsonObject problem = response.bodyAsJsonObject();
          assertThat(problem.getString("type")).endsWith("reprovision-"
              + state.replaceAll("([A-Z])", "-$1").toLowerCase(java.util.Locale.ROOT));
          assertThat(problem.getString("actionState")).isEqualTo(state);
          assertThat(problem.getJsonObject("statusDetail").getString("code")).isEqualTo("code-" + state);
          assertThat(problem.getString("detail")).contains("Graph says " + state);
          assertThat(stack.reprovisionPosts()).isEqualTo(1);
          test.completeNow();
        })));
  }

  @Test
  void aRebuildGraphReportsDoneIs200(VertxTestContext test) {
    stack(Map.of("POLL_RETRY_AFTER_SECONDS", "1"));
    stack.post("/api/cloudpcs/" + MEGAN_PC + "/reprovision", stack.adminToken())
        .compose(this::pollToTheEnd)
        .onComplete(test.succeeding(response -> test.verify(() -> {
          assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(200);
          assertThat(response.bodyAsJsonObject().getJsonObject("reprovision").getString("state")).isEqualTo("done");
          test.completeNow();
        })));
  }

  @Test
  void stateNoneIsRunningOnlyForABoundedTimeThenTheOutcomeIsReportedUnknown(VertxTestContext test) {
    stack(Map.of());
    stack.tenant.graph().endNextRebuild(MEGAN_PC, "none", null, null);
    stack.tenant.graph().setRebuildTime(Duration.ZERO);
    String admin = stack.adminToken();
    long recent = Instant.now().toEpochMilli();
    long longAgo = Instant.now().minus(OperationTracker.OUTCOME_WAIT).minusSeconds(60).toEpochMilli();
    stack.post("/api/cloudpcs/" + MEGAN_PC + "/reprovision", admin)
        .compose(accepted -> stack.get("/api/cloudpcs/" + MEGAN_PC + "/operations/" + recent, admin)
            .compose(early -> stack.get("/api/cloudpcs/" + MEGAN_PC + "/operations/" + longAgo, admin)
                .map(late -> List.of(accepted, early, late))))
        .onComplete(test.succeeding(answers -> test.verify(() -> {
          assertThat(answers.get(0).statusCode()).isEqualTo(202);
          assertThat(answers.get(1).statusCode()).as("within the wait: still running").isEqualTo(202);
          HttpResponse<Buffer> late = answers.get(2);
          assertThat(late.statusCode()).as(late.bodyAsString()).isEqualTo(502);
          JsonObject problem = late.bodyAsJsonObject();
          assertThat(problem.getString("type")).endsWith("reprovision-outcome-unknown");
          assertThat(problem.getString("detail")).contains("'none'").contains("Intune");
          test.completeNow();
        })));
  }

  @Test
  void withoutAnyRemoteActionResultTheOutcomeIsUnknownAfterTheWaitNeverSuccess(VertxTestContext test) {
    stack(Map.of());
    stack.tenant.graph().faults().always("GET", ".*/retrieveCloudPcRemoteActionResults",
        Fault.status(404, "ResourceNotFound"));
    long longAgo = Instant.now().minus(OperationTracker.OUTCOME_WAIT).minusSeconds(60).toEpochMilli();
    stack.get("/api/cloudpcs/" + MEGAN_PC + "/operations/" + longAgo, stack.adminToken())
        .onComplete(test.succeeding(response -> test.verify(() -> {
          assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(502);
          assertThat(response.bodyAsJsonObject().getString("detail")).contains("no matching Reprovision");
          test.completeNow();
        })));
  }

  // ---- 4: v1.0 ----

  @Test
  void onV1ThePostGoesToV1AndTheGuardTrackingAndDryRunReadBeta(VertxTestContext test) {
    stack(Map.of("GRAPH_API_VERSION", "v1.0", "POLL_RETRY_AFTER_SECONDS", "1"));
    String admin = stack.adminToken();
    stack.post("/api/cloudpcs/" + ADELE_PC + "/reprovision?dryRun=true", admin)
        .compose(dry -> stack.post("/api/cloudpcs/" + MEGAN_PC + "/reprovision", admin)
            .compose(this::pollToTheEnd)
            .compose(done -> stack.get("/api/health", null).map(health -> List.of(dry, done, health))))
        .onComplete(test.succeeding(answers -> test.verify(() -> {
          assertThat(answers.get(0).statusCode()).as(answers.get(0).bodyAsString()).isEqualTo(200);
          assertThat(answers.get(1).statusCode()).as(answers.get(1).bodyAsString()).isEqualTo(200);
          JsonObject health = answers.get(2).bodyAsJsonObject();
          assertThat(health.getString("graphApiVersion")).isEqualTo("v1.0");
          assertThat(health.getString("graphReadsVersion")).isEqualTo("beta");
          List<RecordedRequest> seen = stack.tenant.graph().requests();
          assertThat(seen).filteredOn(r -> r.path().endsWith("/reprovision")).extracting(RecordedRequest::path)
              .containsExactly("/v1.0/deviceManagement/virtualEndpoint/cloudPCs/" + MEGAN_PC + "/reprovision");
          assertThat(seen).filteredOn(r -> r.path().contains("/cloudPCs/") && r.method().equals("GET"))
              .isNotEmpty().allSatisfy(r -> assertThat(r.path()).startsWith("/beta/"));
          test.completeNow();
        })));
  }

  // ---- 5: paging ----

  @Test
  void aUserWithMorePcsThanOnePageHasEveryPcReprovisioned(VertxTestContext test) {
    stack(Map.of());
    stack.tenant.graph().setPageSize(2);
    stack.post("/api/users/" + SandboxSeed.ADELE.id() + "/cloudpcs/reprovision", stack.adminToken())
        .onComplete(test.succeeding(response -> test.verify(() -> {
          assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(202);
          assertThat(response.bodyAsJsonObject().getInteger("total")).isEqualTo(3);
          assertThat(stack.reprovisionPosts()).isEqualTo(3);
          List<RecordedRequest> lists = stack.tenant.graph().requests().stream()
              .filter(r -> r.path().endsWith("/virtualEndpoint/cloudPCs")).toList();
          assertThat(lists).hasSize(2);
          assertThat(lists.get(1).query()).contains("$skiptoken=2");
          test.completeNow();
        })));
  }

  // ---- 7: the Windows 365 user setting on self-service routes ----

  @Test
  void theSandboxUserMayResetButAUserWhoseSettingForbidsItGets403NamingItAndNothingIsSent(VertxTestContext test) {
    stack(Map.of());
    stack.post("/api/me/cloudpcs/" + ADELE_PC + "/reprovision", stack.userToken(SandboxSeed.ADELE))
        .compose(adele -> stack.post("/api/me/cloudpcs/" + MEGAN_PC + "/reprovision",
            stack.userToken(SandboxSeed.MEGAN)).map(megan -> List.of(adele, megan)))
        .onComplete(test.succeeding(answers -> test.verify(() -> {
          assertThat(answers.get(0).statusCode()).as(answers.get(0).bodyAsString()).isEqualTo(202);
          HttpResponse<Buffer> megan = answers.get(1);
          assertThat(megan.statusCode()).as(megan.bodyAsString()).isEqualTo(403);
          JsonObject problem = megan.bodyAsJsonObject();
          assertThat(problem.getString("type")).endsWith("reset-not-allowed");
          assertThat(problem.getString("userSetting")).isEqualTo("Standard users");
          assertThat(problem.getString("detail")).contains("'Standard users'").contains("Nothing was sent");
          assertThat(stack.tenant.graph().executedReprovisions(MEGAN_PC)).isZero();
          assertThat(stack.reprovisionPosts()).isEqualTo(1);
          test.completeNow();
        })));
  }

  @Test
  void theMostRecentlyCreatedApplicableSettingWins(VertxTestContext test) {
    stack(Map.of());
    stack.tenant.graph().userSettings().put(new SandboxUserSettings.Setting("5e7f0a1b-2c3d-4e5f-8a9b-0c1d2e3f4a59",
        "Sales lockdown", Instant.parse("2025-01-01T00:00:00Z"), false, List.of(SandboxUserSettings.SALES_GROUP_ID)));
    stack.post("/api/users/" + SandboxSeed.ADELE.id() + "/cloudpcs/" + ADELE_PC + "/reprovision",
            stack.userToken(SandboxSeed.ADELE))
        .onComplete(test.succeeding(response -> test.verify(() -> {
          assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(403);
          assertThat(response.bodyAsJsonObject().getString("userSetting")).isEqualTo("Sales lockdown");
          assertThat(stack.reprovisionPosts()).isZero();
          test.completeNow();
        })));
  }

  @Test
  void whenTheSettingCannotBeReadSelfServiceFailsClosedAndAdminsAreUnaffected(VertxTestContext test) {
    stack(Map.of());
    stack.tenant.graph().faults().always("GET", ".*/userSettings", Fault.status(403, "Forbidden"));
    stack.post("/api/users/" + SandboxSeed.ADELE.id() + "/cloudpcs/reprovision", stack.userToken(SandboxSeed.ADELE))
        .compose(self -> stack.post("/api/users/" + SandboxSeed.MEGAN.id() + "/cloudpcs/" + MEGAN_PC
            + "/reprovision", stack.adminToken()).map(admin -> List.of(self, admin)))
        .onComplete(test.succeeding(answers -> test.verify(() -> {
          assertThat(answers.get(0).statusCode()).as(answers.get(0).bodyAsString()).isEqualTo(403);
          assertThat(answers.get(0).bodyAsJsonObject().getString("type")).endsWith("reset-policy-unknown");
          assertThat(answers.get(1).statusCode()).as(answers.get(1).bodyAsString()).isEqualTo(202);
          assertThat(stack.tenant.graph().requests()).filteredOn(r -> r.path().endsWith("/reprovision"))
              .extracting(RecordedRequest::path).allSatisfy(path -> assertThat(path).contains(MEGAN_PC));
          test.completeNow();
        })));
  }

  @Test
  void theExplicitOptOutLetsSelfServiceIgnoreTheSetting(VertxTestContext test) {
    stack(Map.of("AUTH_SELF_SERVICE_IGNORE_RESET_POLICY", "true"));
    stack.post("/api/me/cloudpcs/" + MEGAN_PC + "/reprovision", stack.userToken(SandboxSeed.MEGAN))
        .onComplete(test.succeeding(response -> test.verify(() -> {
          assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(202);
          assertThat(stack.tenant.graph().requests()).noneMatch(r -> r.path().contains("userSettings"));
          test.completeNow();
        })));
  }

  /** GET the Location while 202, after the Retry-After each answer asks for (as Logic Apps does). */
  private Future<HttpResponse<Buffer>> pollToTheEnd(HttpResponse<Buffer> previous) {
    if (previous.statusCode() != 202 || previous.getHeader("Location") == null) {
      return Future.succeededFuture(previous);
    }
    return vertx.timer(Long.parseLong(previous.getHeader("Retry-After")) * 1000)
        .compose(v -> stack.client.getAbs(previous.getHeader("Location"))
            .putHeader("x-functions-key", stack.tenant.functionKey()).send())
        .compose(this::pollToTheEnd);
  }
}
