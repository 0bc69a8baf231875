package dev.cloudpc.reprovision.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The fake Graph behaves as Microsoft documents: evolvable enums, the v1.0 shape, paging, user settings. */
class SandboxMicrosoftSemanticsTest extends SandboxTestBase {
  private static final String PC = SandboxSeed.ADELE_CLOUD_PCS.get(0);
  private static final String BETA_PCS = "/beta/deviceManagement/virtualEndpoint/cloudPCs";

  @Test
  void statusesAfterTheSentinelComeBackOnlyWithThePreferHeader() {
    sandbox.graph().setStatus(PC, "movingRegion");
    JsonObject plain = send(graph(HttpMethod.GET, BETA_PCS + "/" + PC)).bodyAsJsonObject();
    JsonObject preferred = send(graph(HttpMethod.GET, BETA_PCS + "/" + PC)
        .putHeader("Prefer", "include-unknown-enum-members")).bodyAsJsonObject();
    assertThat(plain.getString("status")).isEqualTo("unknownFutureValue");
    assertThat(preferred.getString("status")).isEqualTo("movingRegion");
    sandbox.graph().setStatus(PC, "pendingProvision"); // before the sentinel: always as is
    assertThat(send(graph(HttpMethod.GET, BETA_PCS + "/" + PC)).bodyAsJsonObject().getString("status"))
        .isEqualTo("pendingProvision");
  }

  @Test
  void v1HasNoStatusAndNoRemoteActionFunctions() {
    String v1 = "/v1.0/deviceManagement/virtualEndpoint/cloudPCs/" + PC;
    JsonObject pc = send(graph(HttpMethod.GET, v1)).bodyAsJsonObject();
    assertThat(pc.getString("id")).isEqualTo(PC);
    assertThat(pc.containsKey("status")).isFalse();
    assertThat(pc.containsKey("statusDetail")).isFalse();
    assertThat(send(graph(HttpMethod.GET, v1 + "/retrieveCloudPcRemoteActionResults")).statusCode()).isEqualTo(400);
    assertThat(send(graph(HttpMethod.GET, v1 + "/getSupportedCloudPcRemoteActions")).statusCode()).isEqualTo(400);
  }

  @Test
  void collectionsPageWithNextLinkUntilItIsAbsent() {
    sandbox.graph().setPageSize(2);
    String upn = SandboxSeed.ADELE.userPrincipalName();
    HttpResponse<Buffer> first = send(graph(HttpMethod.GET, BETA_PCS).addQueryParam("$filter",
        "userPrincipalName eq '" + upn + "'"));
    List<Object> ids = new ArrayList<>();
    JsonObject page = first.bodyAsJsonObject();
    int pages = 1;
    page.getJsonArray("value").forEach(pc -> ids.add(((JsonObject) pc).getValue("id")));
    while (page.containsKey("@odata.nextLink")) {
      String next = page.getString("@odata.nextLink");
      assertThat(next).startsWith(sandbox.graphBaseUrl().toString());
      page = send(graphAs(HttpMethod.GET, next.substring(sandbox.graphBaseUrl().toString().length()), graphToken))
          .bodyAsJsonObject();
      page.getJsonArray("value").forEach(pc -> ids.add(((JsonObject) pc).getValue("id")));
      pages++;
    }
    assertThat(pages).isEqualTo(2);
    assertThat(ids).containsExactlyElementsOf(SandboxSeed.ADELE_CLOUD_PCS);
  }

  @Test
  void userSettingsCarryGroupAssignmentsOnExpandAndMembershipIsTransitive() {
    JsonArray plain = send(graph(HttpMethod.GET, "/beta/deviceManagement/virtualEndpoint/userSettings"))
        .bodyAsJsonObject().getJsonArray("value");
    JsonArray expanded = send(graph(HttpMethod.GET, "/beta/deviceManagement/virtualEndpoint/userSettings")
        .addQueryParam("$expand", "assignments")).bodyAsJsonObject().getJsonArray("value");
    assertThat(plain.getJsonObject(0).containsKey("assignments")).isFalse();
    JsonObject target = expanded.getJsonObject(0).getJsonArray("assignments").getJsonObject(0)
        .getJsonObject("target");
    assertThat(target.getString("@odata.type")).isEqualTo("#microsoft.graph.cloudPcManagementGroupAssignmentTarget");

    JsonObject ask = new JsonObject().put("groupIds", new JsonArray()
        .add(SandboxUserSettings.RESET_GROUP_ID).add(SandboxUserSettings.ALL_USERS_GROUP_ID));
    JsonArray adele = sendJson(graph(HttpMethod.POST, "/v1.0/users/" + SandboxSeed.ADELE.id()
        + "/checkMemberGroups"), ask).bodyAsJsonObject().getJsonArray("value");
    JsonArray megan = sendJson(graph(HttpMethod.POST, "/v1.0/users/" + SandboxSeed.MEGAN.id()
        + "/checkMemberGroups"), ask).bodyAsJsonObject().getJsonArray("value");
    assertThat(adele).containsExactlyInAnyOrder(SandboxUserSettings.RESET_GROUP_ID,
        SandboxUserSettings.ALL_USERS_GROUP_ID); // the reset group through the nested sales group
    assertThat(megan).containsExactly(SandboxUserSettings.ALL_USERS_GROUP_ID);
    JsonArray tooMany = new JsonArray();
    for (int i = 0; i < 21; i++) {
      tooMany.add("00000000-0000-0000-0000-" + String.format("%012d", i));
    }
    assertThat(sendJson(graph(HttpMethod.POST, "/v1.0/users/" + SandboxSeed.ADELE.id() + "/checkMemberGroups"),
        new JsonObject().put("groupIds", tooMany)).statusCode()).isEqualTo(400);
  }

  @Test
  void aRebuildCanEndInAnyActionState() {
    sandbox.graph().setRebuildTime(java.time.Duration.ZERO);
    sandbox.graph().endNextRebuild(PC, "notSupported", "notSupportedForPc", "No.");
    assertThat(reprovision(PC).statusCode()).isEqualTo(204);
    JsonObject action = send(graph(HttpMethod.GET, BETA_PCS + "/" + PC + "/retrieveCloudPcRemoteActionResults"))
        .bodyAsJsonObject().getJsonArray("value").getJsonObject(0);
    assertThat(action.getString("actionState")).isEqualTo("notSupported");
    assertThat(action.getJsonObject("statusDetail").getString("code")).isEqualTo("notSupportedForPc");
    assertThat(getPc(PC).bodyAsJsonObject().getString("status")).isEqualTo("provisioned");
  }
}
