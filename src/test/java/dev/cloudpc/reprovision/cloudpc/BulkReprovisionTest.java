package dev.cloudpc.reprovision.cloudpc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cloudpc.reprovision.sandbox.Fault;
import dev.cloudpc.reprovision.sandbox.SandboxOptions;
import dev.cloudpc.reprovision.sandbox.SandboxSeed;
import dev.cloudpc.reprovision.sandbox.SandboxTenant;
import dev.cloudpc.reprovision.support.Await;
import dev.cloudpc.reprovision.support.StrictVertxTest;
import dev.cloudpc.reprovision.support.TestStack;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxTestContext;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Many Cloud PCs in one request: per-PC results, one POST per PC at most, throttling absorbed across the batch. */
class BulkReprovisionTest extends StrictVertxTest {

  private TestStack stack;

  @BeforeEach
  void start() {
    SandboxTenant tenant = Await.await(SandboxTenant.start(vertx, SandboxOptions.defaults()
        .withRebuildTime(TestStack.REBUILD).withExtraCloudPcs(40)));
    stack = TestStack.start(vertx, tenant, Map.of("POLL_RETRY_AFTER_SECONDS", "1"));
  }

  @AfterEach
  void stop() {
    stack.close();
  }

  @Test
  void tenValidAndTwoUnknownIdsGivePerPcResultsAndExactlyTenPosts(VertxTestContext test) {
    List<String> valid = IntStream.range(0, 10).mapToObj(SandboxSeed::extraCloudPcId).toList();
    List<String> unknown = List.of("0badc0de-0000-4000-8000-000000000001", "0badc0de-0000-4000-8000-000000000002");
    List<String> all = new ArrayList<>(valid);
    all.addAll(unknown);
    bulk(all, "{\"osVersion\":\"windows11\"}")
        .compose(accepted -> pollUntilDone(accepted.getHeader("Location")).map(done -> List.of(accepted, done)))
        .onComplete(test.succeeding(answers -> test.verify(() -> {
          HttpResponse<Buffer> accepted = answers.get(0);
          assertThat(accepted.statusCode()).as(accepted.bodyAsString()).isEqualTo(202);
          JsonObject body = accepted.bodyAsJsonObject();
          assertThat(body.getInteger("total")).isEqualTo(12);
          assertThat(body.getJsonObject("counts")).isEqualTo(new JsonObject().put("accepted", 10).put("notFound", 2));
          Map<String, String> byPc = new java.util.HashMap<>();
          body.getJsonArray("results").stream().map(JsonObject.class::cast)
              .forEach(r -> byPc.put(r.getString("cloudPcId"), r.getString("result")));
          valid.forEach(id -> assertThat(byPc).containsEntry(id, "accepted"));
          unknown.forEach(id -> assertThat(byPc).containsEntry(id, "notFound"));
          valid.forEach(id -> assertThat(stack.tenant.graph().executedReprovisions(id)).isEqualTo(1));
          assertThat(stack.reprovisionPosts()).isEqualTo(10);
          assertThat(stack.tenant.graph().requests().stream().filter(r -> r.method().equals("POST")
              && r.path().endsWith("/reprovision")).map(r -> new JsonObject(r.body())).distinct().toList())
              .containsExactly(new JsonObject().put("osVersion", "windows11"));

          JsonObject done = answers.get(1).bodyAsJsonObject();
          assertThat(answers.get(1).statusCode()).isEqualTo(200);
          assertThat(done.getJsonObject("counts")).isEqualTo(new JsonObject().put("succeeded", 10));
          test.completeNow();
        })));
  }

  @Test
  void scriptedThrottlingIsAbsorbedWithoutASecondPostForAnyPc(VertxTestContext test) {
    stack.tenant.graph().faults()
        .random("POST", ".*/reprovision", 0.3, Fault.status(429, "TooManyRequests", Map.of("Retry-After", "0")), 7);
    List<String> ids = IntStream.range(10, 40).mapToObj(SandboxSeed::extraCloudPcId).toList();
    bulk(ids, null).onComplete(test.succeeding(accepted -> test.verify(() -> {
      assertThat(accepted.statusCode()).isEqualTo(202);
      JsonObject counts = accepted.bodyAsJsonObject().getJsonObject("counts");
      assertThat(counts.getInteger("accepted")).isEqualTo(30);
      assertThat(stack.tenant.graph().count("POST", ".*/reprovision")).isGreaterThan(30);
      ids.forEach(id -> assertThat(stack.tenant.graph().executedReprovisions(id)).isEqualTo(1));
      test.completeNow();
    })));
  }

  @Test
  void badListsAreRefusedWholeBeforeAnythingIsSent(VertxTestContext test) {
    String pc = SandboxSeed.extraCloudPcId(1);
    List<String> tooMany = IntStream.range(0, 101).mapToObj(SandboxSeed::extraCloudPcId).toList();
    Future.all(List.of(
            bulk(List.of(pc, pc.toUpperCase()), null),
            bulk(List.of(pc, "not-a-guid"), null),
            bulk(tooMany, null),
            stack.postJson("/api/cloudpcs/reprovision", stack.adminToken(), "{\"cloudPcIds\":[\"" + pc
                + "\"],\"osversion\":\"windows11\"}"),
            stack.postJson("/api/cloudpcs/reprovision", stack.adminToken(), "{\"cloudPcIds\":[]}"),
            stack.postJson("/api/cloudpcs/reprovision", stack.userToken(SandboxSeed.ADELE),
                "{\"cloudPcIds\":[\"" + SandboxSeed.ADELE_CLOUD_PCS.get(0) + "\"]}")))
        .onComplete(test.succeeding(all -> test.verify(() -> {
          List<Integer> statuses = IntStream.range(0, all.size())
              .mapToObj(i -> all.<HttpResponse<Buffer>>resultAt(i).statusCode()).toList();
          assertThat(statuses).containsExactly(400, 400, 400, 400, 400, 403);
          assertThat(all.<HttpResponse<Buffer>>resultAt(0).bodyAsJsonObject().getJsonArray("duplicateIds"))
              .hasSize(1);
          assertThat(all.<HttpResponse<Buffer>>resultAt(1).bodyAsJsonObject().getString("detail"))
              .contains("not-a-guid");
          assertThat(all.<HttpResponse<Buffer>>resultAt(2).bodyAsJsonObject().getString("detail"))
              .contains("BULK_MAX_CLOUD_PCS");
          assertThat(stack.tenant.graph().requests()).isEmpty();
          test.completeNow();
        })));
  }

  @Test
  void aUserReprovisionsAllOwnPcsButNotAnotherUsers(VertxTestContext test) {
    String adele = stack.userToken(SandboxSeed.ADELE);
    stack.post("/api/users/" + SandboxSeed.ADELE.userPrincipalName() + "/cloudpcs/reprovision", adele)
        .compose(own -> stack.post("/api/users/" + SandboxSeed.MEGAN.userPrincipalName() + "/cloudpcs/reprovision",
            adele).map(other -> List.of(own, other)))
        .onComplete(test.succeeding(answers -> test.verify(() -> {
          assertThat(answers.get(0).statusCode()).as(answers.get(0).bodyAsString()).isEqualTo(202);
          JsonArray results = answers.get(0).bodyAsJsonObject().getJsonArray("results");
          assertThat(results.stream().map(r -> ((JsonObject) r).getString("cloudPcId")).toList())
              .containsExactlyInAnyOrderElementsOf(SandboxSeed.ADELE_CLOUD_PCS);
          assertThat(answers.get(1).statusCode()).isEqualTo(403);
          SandboxSeed.ADELE_CLOUD_PCS.forEach(id ->
              assertThat(stack.tenant.graph().executedReprovisions(id)).isEqualTo(1));
          SandboxSeed.MEGAN_CLOUD_PCS.forEach(id ->
              assertThat(stack.tenant.graph().executedReprovisions(id)).isZero());
          test.completeNow();
        })));
  }

  @Test
  void anAdminReprovisionsAllPcsOfAUserAndAUserWithoutPcsIsA404(VertxTestContext test) {
    String admin = stack.adminToken();
    stack.post("/api/users/" + SandboxSeed.MEGAN.id() + "/cloudpcs/reprovision?dryRun=true", admin)
        .compose(dry -> stack.post("/api/users/" + SandboxSeed.MEGAN.id() + "/cloudpcs/reprovision", admin)
            .map(real -> List.of(dry, real)))
        .compose(answers -> stack.post("/api/users/nobody@contoso.sandbox/cloudpcs/reprovision", admin)
            .map(missing -> List.of(answers.get(0), answers.get(1), missing)))
        .onComplete(test.succeeding(answers -> test.verify(() -> {
          assertThat(answers.get(0).statusCode()).isEqualTo(200);
          assertThat(answers.get(0).bodyAsJsonObject().getJsonObject("counts"))
              .isEqualTo(new JsonObject().put("dryRun", 2));
          assertThat(answers.get(1).statusCode()).isEqualTo(202);
          assertThat(stack.reprovisionPosts()).isEqualTo(2);
          assertThat(answers.get(2).statusCode()).isEqualTo(404);
          test.completeNow();
        })));
  }

  private Future<HttpResponse<Buffer>> bulk(List<String> ids, String options) {
    JsonObject body = options == null ? new JsonObject() : new JsonObject(options);
    body.put("cloudPcIds", new JsonArray(ids));
    return stack.postJson("/api/cloudpcs/reprovision", stack.adminToken(), body.encode());
  }

  /** Follows Location while 202, as a flow does (Retry-After is 1 s here; a short timer keeps the test brisk). */
  private Future<HttpResponse<Buffer>> pollUntilDone(String location) {
    return stack.client.getAbs(location).putHeader("x-functions-key", stack.tenant.functionKey())
        .putHeader("Authorization", "Bearer " + stack.adminToken()).send()
        .compose(response -> response.statusCode() != 202 ? Future.succeededFuture(response)
            : vertx.timer(100).compose(v -> pollUntilDone(response.getHeader("Location"))));
  }
}
