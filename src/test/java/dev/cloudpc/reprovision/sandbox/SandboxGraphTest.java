package dev.cloudpc.reprovision.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class SandboxGraphTest extends SandboxTestBase {

  private static final String CLOUD_PCS = "/beta/deviceManagement/virtualEndpoint/cloudPCs/";
  private static final String ADELE_PC = SandboxSeed.ADELE_CLOUD_PCS.get(0);
  private static final String MEGAN_PC = SandboxSeed.MEGAN_CLOUD_PCS.get(0);
  /** Megan's second PC runs Windows 10 until reprovisioned with osVersion windows11. */
  private static final String MEGAN_WIN10_PC = SandboxSeed.MEGAN_CLOUD_PCS.get(1);

  @Test
  void refusesMissingOrForeignTokenAndMissingUserAgent() {
    HttpResponse<Buffer> noToken = send(http.getAbs(sandbox.graphBaseUrl() + CLOUD_PCS + ADELE_PC)
        .putHeader("User-Agent", USER_AGENT));
    String callerToken = sandbox.identity().mintApplicationToken("x", List.of("CloudPC.Reprovision.All"),
        TokenVersion.V2, Duration.ofMinutes(5));
    HttpResponse<Buffer> wrongAudience = send(graphAs(HttpMethod.GET, CLOUD_PCS + ADELE_PC, callerToken));
    HttpResponse<Buffer> noUserAgent = send(http.getAbs(sandbox.graphBaseUrl() + CLOUD_PCS + ADELE_PC)
        .putHeader("Authorization", "Bearer " + graphToken));

    assertThat(noToken.statusCode()).isEqualTo(401);
    assertThat(graphError(noToken).getString("code")).isEqualTo("InvalidAuthenticationToken");
    assertThat(wrongAudience.statusCode()).isEqualTo(401);
    assertThat(graphError(wrongAudience).getString("code")).isEqualTo("InvalidAuthenticationToken");
    assertThat(noUserAgent.statusCode()).isEqualTo(403);
    assertThat(graphError(noUserAgent).getString("code")).isEqualTo("Forbidden");
    assertThat(graphError(noUserAgent).getString("message")).contains("User-Agent");
    assertThat(sandbox.graph().count("GET", ".*/cloudPCs/[^/]+")).isEqualTo(3);
  }

  @Test
  void answersCarryRequestIdAndEchoClientRequestId() {
    HttpResponse<Buffer> response = send(graph(HttpMethod.GET, CLOUD_PCS + "does-not-exist")
        .putHeader("client-request-id", "my-correlation"));

    assertThat(response.statusCode()).isEqualTo(404);
    assertThat(UUID.fromString(response.getHeader("request-id"))).isNotNull();
    assertThat(response.getHeader("client-request-id")).isEqualTo("my-correlation");
    JsonObject error = graphError(response);
    assertThat(error.getString("code")).isEqualTo("ResourceNotFound");
    assertThat(error.getJsonObject("innerError").getString("request-id")).isEqualTo(response.getHeader("request-id"));
    assertThat(error.getJsonObject("innerError").getString("client-request-id")).isEqualTo("my-correlation");
    assertThat(error.getJsonObject("innerError").getString("date")).isNotBlank();
    RecordedRequest recorded = sandbox.graph().requests().get(0);
    assertThat(recorded.header("Client-Request-Id")).isEqualTo("my-correlation");
    assertThat(recorded.headers()).containsKey("user-agent");
  }

  @Test
  void getsCloudPcOnBothVersionsWithSelect() {
    JsonObject pc = getPc(ADELE_PC).bodyAsJsonObject();
    HttpResponse<Buffer> v1 = send(graph(HttpMethod.GET,
        "/v1.0/deviceManagement/virtualEndpoint/cloudPCs/" + ADELE_PC.toUpperCase()));
    JsonObject selected = send(graph(HttpMethod.GET, CLOUD_PCS + ADELE_PC + "?$select=id,status"))
        .bodyAsJsonObject();

    assertThat(pc.getString("id")).isEqualTo(ADELE_PC);
    assertThat(pc.getString("displayName")).isEqualTo("CPC-adele-1");
    assertThat(pc.getString("managedDeviceName")).isEqualTo("CPC-adele-1");
    assertThat(pc.getString("userPrincipalName")).isEqualTo(SandboxSeed.ADELE.userPrincipalName());
    assertThat(pc.getString("status")).isEqualTo("provisioned");
    assertThat(pc.containsKey("statusDetail")).isTrue();
    assertThat(pc.getValue("statusDetail")).isNull();
    assertThat(pc.fieldNames()).contains("provisioningPolicyName", "servicePlanName", "osVersion",
        "lastModifiedDateTime");
    assertThat(v1.statusCode()).isEqualTo(200);
    assertThat(selected.fieldNames()).containsExactlyInAnyOrder("@odata.context", "id", "status");
  }

  @Test
  void reprovisionRunsProvisioningThenProvisioned() {
    HttpResponse<Buffer> accepted = sendJson(graph(HttpMethod.POST, CLOUD_PCS + MEGAN_WIN10_PC + "/reprovision"),
        new JsonObject().put("osVersion", "windows11").put("userAccountType", "administrator"));

    assertThat(accepted.statusCode()).isEqualTo(204);
    assertThat(accepted.bodyAsString()).isNull();
    assertThat(getPc(MEGAN_WIN10_PC).bodyAsJsonObject().getString("status")).isEqualTo("provisioning");
    JsonObject action = actions(MEGAN_WIN10_PC).getJsonObject(0);
    assertThat(action.getString("actionName")).isEqualTo("Reprovision");
    assertThat(action.getString("actionState")).isIn("pending", "active");
    assertThat(action.getString("cloudPcId")).isEqualTo(MEGAN_WIN10_PC);

    JsonObject done = eventually(() -> getPc(MEGAN_WIN10_PC).bodyAsJsonObject(),
        pc -> "provisioned".equals(pc.getString("status")), Duration.ofSeconds(3));

    assertThat(done.getString("osVersion")).isEqualTo("windows11");
    assertThat(done.getString("userAccountType")).isEqualTo("administrator");
    assertThat(actions(MEGAN_WIN10_PC).getJsonObject(0).getString("actionState")).isEqualTo("done");
    assertThat(sandbox.graph().executedReprovisions(MEGAN_WIN10_PC)).isEqualTo(1);
    assertThat(sandbox.graph().cloudPc(MEGAN_WIN10_PC).status()).isEqualTo("provisioned");
  }

  @Test
  void secondReprovisionWhileRebuildingIsConflict() {
    assertThat(reprovision(ADELE_PC).statusCode()).isEqualTo(204);

    HttpResponse<Buffer> second = reprovision(ADELE_PC);

    assertThat(second.statusCode()).isEqualTo(409);
    assertThat(graphError(second).getString("code")).isEqualTo("Conflict");
    assertThat(sandbox.graph().executedReprovisions(ADELE_PC)).isEqualTo(1);
    eventually(() -> sandbox.graph().cloudPc(ADELE_PC).status(), "provisioned"::equals, Duration.ofSeconds(3));
    assertThat(reprovision(ADELE_PC).statusCode()).as("allowed again after the rebuild").isEqualTo(204);
    assertThat(sandbox.graph().executedReprovisions(ADELE_PC)).isEqualTo(2);
    assertThat(actions(ADELE_PC)).hasSize(2);
  }

  @Test
  void failNextRebuildEndsFailedWithStatusDetail() {
    sandbox.graph().failNextRebuild(MEGAN_PC, "imageNotAvailable", "The image is gone.");

    assertThat(reprovision(MEGAN_PC).statusCode()).isEqualTo(204);
    JsonObject pc = eventually(() -> getPc(MEGAN_PC).bodyAsJsonObject(),
        json -> !"provisioning".equals(json.getString("status")), Duration.ofSeconds(3));

    assertThat(pc.getString("status")).isEqualTo("failed");
    assertThat(pc.getJsonObject("statusDetail").getString("code")).isEqualTo("imageNotAvailable");
    assertThat(pc.getJsonObject("statusDetail").getString("message")).isEqualTo("The image is gone.");
    JsonObject action = actions(MEGAN_PC).getJsonObject(0);
    assertThat(action.getString("actionState")).isEqualTo("failed");
    assertThat(action.getJsonObject("statusDetail").getString("code")).isEqualTo("imageNotAvailable");
  }

  @Test
  void invalidBodiesAndUnknownPcsDoNotExecute() {
    for (JsonObject body : List.of(new JsonObject().put("osVersion", "windows7"),
        new JsonObject().put("userAccountType", "root"), new JsonObject().put("wipe", true))) {
      HttpResponse<Buffer> response = sendJson(graph(HttpMethod.POST, CLOUD_PCS + ADELE_PC + "/reprovision"), body);
      assertThat(response.statusCode()).as(body.encode()).isEqualTo(400);
      assertThat(graphError(response).getString("code")).isEqualTo("BadRequest");
    }
    HttpResponse<Buffer> unknown = reprovision("11111111-1111-4111-8111-111111111111");

    assertThat(unknown.statusCode()).isEqualTo(404);
    assertThat(graphError(unknown).getString("code")).isEqualTo("ResourceNotFound");
    assertThat(sandbox.graph().executedReprovisions(ADELE_PC)).isZero();
  }

  @Test
  void filtersCloudPcsByUserPrincipalName() {
    JsonArray adele = list("userPrincipalName eq 'ADELE.VANCE@contoso.sandbox'").bodyAsJsonObject()
        .getJsonArray("value");
    JsonArray quoted = list("userPrincipalName eq 'o''brien@contoso.sandbox'").bodyAsJsonObject()
        .getJsonArray("value");
    HttpResponse<Buffer> otherFilter = list("displayName eq 'CPC-adele-1'");
    HttpResponse<Buffer> noFilter = send(graph(HttpMethod.GET, "/beta/deviceManagement/virtualEndpoint/cloudPCs"));

    assertThat(adele).hasSize(3);
    assertThat(adele.stream().map(pc -> ((JsonObject) pc).getString("id")).toList())
        .containsExactlyInAnyOrderElementsOf(SandboxSeed.ADELE_CLOUD_PCS);
    assertThat(quoted).isEmpty();
    assertThat(otherFilter.statusCode()).isEqualTo(400);
    assertThat(graphError(otherFilter).getString("code")).isEqualTo("BadRequest");
    assertThat(noFilter.statusCode()).isEqualTo(200);
    assertThat(noFilter.bodyAsJsonObject().getJsonArray("value")).hasSize(5);
  }

  @Test
  void getsUsersByIdOrUpn() {
    JsonObject byId = send(graph(HttpMethod.GET, "/v1.0/users/" + SandboxSeed.MEGAN.id())).bodyAsJsonObject();
    JsonObject byUpn = send(graph(HttpMethod.GET, "/beta/users/megan.bowen%40contoso.sandbox"
        + "?$select=userPrincipalName")).bodyAsJsonObject();
    HttpResponse<Buffer> unknown = send(graph(HttpMethod.GET, "/beta/users/nobody@contoso.sandbox"));

    assertThat(byId.getString("id")).isEqualTo(SandboxSeed.MEGAN.id());
    assertThat(byId.getString("userPrincipalName")).isEqualTo(SandboxSeed.MEGAN.userPrincipalName());
    assertThat(byId.getString("displayName")).isEqualTo("Megan Bowen");
    assertThat(byUpn.getString("userPrincipalName")).isEqualTo(SandboxSeed.MEGAN.userPrincipalName());
    assertThat(byUpn.containsKey("displayName")).isFalse();
    assertThat(unknown.statusCode()).isEqualTo(404);
    assertThat(graphError(unknown).getString("code")).isEqualTo("Request_ResourceNotFound");
  }

  @Test
  void meRouteOnlyReachesTheCallersOwnPcs() {
    String adeleGraphToken = oboGraphToken(SandboxSeed.ADELE);

    HttpResponse<Buffer> own = send(graphAs(HttpMethod.POST, "/beta/me/cloudPCs/" + ADELE_PC + "/reprovision",
        adeleGraphToken));
    HttpResponse<Buffer> foreign = send(graphAs(HttpMethod.POST, "/beta/me/cloudPCs/" + MEGAN_PC + "/reprovision",
        adeleGraphToken));
    HttpResponse<Buffer> appOnly = send(graph(HttpMethod.POST, "/beta/me/cloudPCs/" + ADELE_PC + "/reprovision"));

    assertThat(own.statusCode()).isEqualTo(204);
    assertThat(foreign.statusCode()).isEqualTo(404);
    assertThat(appOnly.statusCode()).isEqualTo(400);
    assertThat(sandbox.graph().executedReprovisions(ADELE_PC)).isEqualTo(1);
    assertThat(sandbox.graph().executedReprovisions(MEGAN_PC)).isZero();
  }

  @Test
  void listOfMyCloudPcsShowsOnlyTheSignedInUsersWithTheDocumentedProperties() {
    String adeleGraphToken = oboGraphToken(SandboxSeed.ADELE);

    JsonObject mine = send(graphAs(HttpMethod.GET, "/beta/me/cloudPCs", adeleGraphToken)).bodyAsJsonObject();
    JsonObject paged = send(graphAs(HttpMethod.GET, "/beta/me/cloudPCs?$select=id,status&$top=2", adeleGraphToken))
        .bodyAsJsonObject();
    HttpResponse<Buffer> appOnly = send(graph(HttpMethod.GET, "/beta/me/cloudPCs"));

    assertThat(mine.getJsonArray("value").stream().map(pc -> ((JsonObject) pc).getString("id")).toList())
        .containsExactlyInAnyOrderElementsOf(SandboxSeed.ADELE_CLOUD_PCS);
    // user-list-cloudpcs.md lists what this operation returns; the user's principal name is not among it.
    assertThat(mine.getJsonArray("value").getJsonObject(0).fieldNames())
        .contains("id", "displayName", "status").doesNotContain("userPrincipalName", "managedDeviceName");
    assertThat(paged.getJsonArray("value")).hasSize(2)
        .allSatisfy(pc -> assertThat(((JsonObject) pc).fieldNames()).containsExactlyInAnyOrder("id", "status"));
    assertThat(paged.getString("@odata.nextLink")).contains("/beta/me/cloudPCs?").contains("$skiptoken=2");
    assertThat(appOnly.statusCode()).isEqualTo(400);
    assertThat(sandbox.graph().count("GET", ".*/me/cloudPCs")).isEqualTo(3);
  }

  @Test
  void usersRouteChecksTheOwner() {
    HttpResponse<Buffer> mismatch = send(graph(HttpMethod.POST,
        "/beta/users/" + SandboxSeed.ADELE.userPrincipalName() + "/cloudPCs/" + MEGAN_PC + "/reprovision"));
    HttpResponse<Buffer> owner = send(graph(HttpMethod.POST,
        "/v1.0/users/" + SandboxSeed.MEGAN.id() + "/cloudPCs/" + MEGAN_PC + "/reprovision"));

    assertThat(mismatch.statusCode()).isEqualTo(404);
    assertThat(owner.statusCode()).isEqualTo(204);
    assertThat(sandbox.graph().executedReprovisions(MEGAN_PC)).isEqualTo(1);
  }

  @Test
  void supportedRemoteActionsReflectSettings() {
    sandbox.graph().setReprovisionSupported(MEGAN_PC, false);

    JsonArray megan = supported(MEGAN_PC);
    JsonArray adele = supported(ADELE_PC);
    HttpResponse<Buffer> refused = reprovision(MEGAN_PC);

    assertThat(capability(adele, "Reprovision")).isEqualTo("enabled");
    assertThat(capability(adele, "Restart")).isEqualTo("enabled");
    assertThat(capability(megan, "Reprovision")).isEqualTo("disabled");
    assertThat(refused.statusCode()).isEqualTo(400);
    assertThat(sandbox.graph().executedReprovisions(MEGAN_PC)).isZero();
  }

  @Test
  void bulkReprovisionStartsEachKnownPc() {
    String unknown = "22222222-2222-4222-8222-222222222222";
    JsonObject request = new JsonObject()
        .put("@odata.type", "#microsoft.graph.cloudPcBulkReprovision")
        .put("displayName", "Monday rebuild")
        .put("cloudPcIds", new JsonArray().add(ADELE_PC).add(MEGAN_PC).add(unknown));

    HttpResponse<Buffer> created = sendJson(graph(HttpMethod.POST,
        "/beta/deviceManagement/virtualEndpoint/bulkActions"), request);

    assertThat(created.statusCode()).isEqualTo(201);
    JsonObject bulk = created.bodyAsJsonObject();
    assertThat(bulk.getString("displayName")).isEqualTo("Monday rebuild");
    assertThat(bulk.getJsonArray("cloudPcIds")).hasSize(3);
    assertThat(bulk.getString("createdDateTime")).isNotBlank();
    JsonObject summary = bulk.getJsonObject("actionSummary");
    assertThat(summary.getInteger("total")).isEqualTo(3);
    assertThat(summary.getInteger("failedCount")).isEqualTo(1);
    assertThat(summary.getInteger("pendingCount") + summary.getInteger("inProgressCount")).isEqualTo(2);
    assertThat(sandbox.graph().executedReprovisions(ADELE_PC)).isEqualTo(1);
    assertThat(sandbox.graph().executedReprovisions(MEGAN_PC)).isEqualTo(1);

    JsonObject finished = eventually(() -> send(graph(HttpMethod.GET,
            "/beta/deviceManagement/virtualEndpoint/bulkActions/" + bulk.getString("id"))).bodyAsJsonObject(),
        json -> json.getJsonObject("actionSummary").getInteger("successfulCount") == 2, Duration.ofSeconds(3));
    assertThat(finished.getString("status")).isEqualTo("failed");
    assertThat(finished.getJsonObject("actionSummary").getInteger("failedCount")).isEqualTo(1);
    assertThat(send(graph(HttpMethod.POST, "/v1.0/deviceManagement/virtualEndpoint/bulkActions")).statusCode())
        .as("beta only").isEqualTo(400);
  }

  @Test
  void customTokenCheckReplacesSandboxCheck() {
    sandbox.graph().acceptTokens("let-me-in"::equals);

    assertThat(send(graphAs(HttpMethod.GET, CLOUD_PCS + ADELE_PC, "let-me-in")).statusCode()).isEqualTo(200);
    assertThat(getPc(ADELE_PC).statusCode()).isEqualTo(401);
  }

  private JsonArray actions(String id) {
    return send(graph(HttpMethod.GET, CLOUD_PCS + id + "/retrieveCloudPcRemoteActionResults")).bodyAsJsonObject()
        .getJsonArray("value");
  }

  private JsonArray supported(String id) {
    return send(graph(HttpMethod.GET, CLOUD_PCS + id + "/getSupportedCloudPcRemoteActions")).bodyAsJsonObject()
        .getJsonArray("value");
  }

  private static String capability(JsonArray actions, String name) {
    return actions.stream().map(JsonObject.class::cast).filter(a -> name.equals(a.getString("actionName")))
        .findFirst().orElseThrow().getString("actionCapability");
  }

  private HttpResponse<Buffer> list(String filter) {
    return send(graph(HttpMethod.GET, "/beta/deviceManagement/virtualEndpoint/cloudPCs")
        .addQueryParam("$filter", filter));
  }

  private String oboGraphToken(SandboxUser user) {
    String assertion = sandbox.identity().mintUserToken(user, List.of("CloudPC.Reprovision"), List.of(),
        TokenVersion.V2, Duration.ofMinutes(10));
    return tokenRequest(MultiMap.caseInsensitiveMultiMap()
        .add("grant_type", TokenEndpoint.JWT_BEARER)
        .add("client_id", sandbox.clientId())
        .add("client_secret", sandbox.clientSecret())
        .add("scope", sandbox.graphBaseUrl() + "/.default")
        .add("requested_token_use", "on_behalf_of")
        .add("assertion", assertion)).bodyAsJsonObject().getString("access_token");
  }
}
