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

/**
 * The fake Graph enforces Windows 365's documented limits (throttling-windows-365.md) the way Graph's throttling
 * guidance describes them: per request type, per app and per tenant over 60 seconds, 429 with Retry-After, and
 * throttled requests count too. Small limits keep the test fast; the defaults are Microsoft's numbers.
 */
class SandboxWindows365LimitsTest extends SandboxTestBase {
  private static final String PCS = "/beta/deviceManagement/virtualEndpoint/cloudPCs";
  private static final String PC = PCS + "/" + SandboxSeed.ADELE_CLOUD_PCS.get(0);

  @Test
  void defaultsAreMicrosoftsDocumentedLimits() {
    assertThat(SandboxOptions.defaults().graphLimits()).isEqualTo(new GraphLimits(270, 540, 90, 180));
    assertThat(sandbox.environment()).doesNotContainKeys("GRAPH_GET_CLOUD_PC_PER_MINUTE",
        "GRAPH_LIST_CLOUD_PCS_PER_MINUTE");
  }

  @Test
  void getCloudPcPastThePerAppLimitIsThrottledWithRetryAfterAndStillCounts() {
    sandbox.graph().setLimits(new GraphLimits(3, 100, 100, 100));

    List<Integer> statuses = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      statuses.add(send(graph(HttpMethod.GET, PC)).statusCode());
    }
    HttpResponse<Buffer> fourth = send(graph(HttpMethod.GET, PC + "?$select=id,status"));
    HttpResponse<Buffer> remoteActions = send(graph(HttpMethod.GET, PC + "/retrieveCloudPcRemoteActionResults"));
    HttpResponse<Buffer> reprovision = reprovision(SandboxSeed.ADELE_CLOUD_PCS.get(1));

    assertThat(statuses).containsOnly(200);
    assertThat(fourth.statusCode()).isEqualTo(429);
    assertThat(graphError(fourth).getString("code")).isEqualTo("TooManyRequests");
    assertThat(Integer.parseInt(fourth.getHeader("Retry-After"))).isBetween(1, 60);
    assertThat(remoteActions.statusCode()).as("a function of one Cloud PC counts as a Get").isEqualTo(429);
    assertThat(reprovision.statusCode()).as("actions are not in these limits").isEqualTo(204);
    assertThat(sandbox.graph().throttledCount()).isEqualTo(2);
  }

  @Test
  void theTenantLimitHoldsAcrossApps() {
    sandbox.graph().setLimits(new GraphLimits(3, 4, 100, 100));
    String otherApp = tokenOfAnotherApp();

    List<Integer> statuses = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      statuses.add(send(graph(HttpMethod.GET, PC)).statusCode());
    }
    statuses.add(send(graphAs(HttpMethod.GET, PC, otherApp)).statusCode());
    HttpResponse<Buffer> fifth = send(graphAs(HttpMethod.GET, PC, otherApp));

    assertThat(statuses).containsOnly(200);
    assertThat(fifth.statusCode()).isEqualTo(429);
    assertThat(graphError(fifth).getString("message")).contains("per tenant");
  }

  @Test
  void listCloudPcsHasItsOwnLimit() {
    sandbox.graph().setLimits(new GraphLimits(100, 100, 2, 100));

    HttpResponse<Buffer> first = send(graph(HttpMethod.GET, PCS));
    HttpResponse<Buffer> second = send(graph(HttpMethod.GET, PCS + "?$filter=userPrincipalName%20eq%20'"
        + SandboxSeed.ADELE.userPrincipalName() + "'"));
    HttpResponse<Buffer> third = send(graph(HttpMethod.GET, PCS));
    HttpResponse<Buffer> get = send(graph(HttpMethod.GET, PC));

    assertThat(List.of(first.statusCode(), second.statusCode(), third.statusCode(), get.statusCode()))
        .containsExactly(200, 200, 429, 200);
    assertThat(graphError(third).getString("message")).contains("List Cloud PCs");
  }

  @Test
  void theWholeTenantListsInPagesWithSelectAndTheLastRemoteActionResult() {
    sandbox.graph().setPageSize(2);
    String rebuilt = SandboxSeed.MEGAN_CLOUD_PCS.get(0);
    assertThat(reprovision(rebuilt).statusCode()).isEqualTo(204);

    List<JsonObject> all = new ArrayList<>();
    String next = sandbox.graphBaseUrl() + PCS + "?$select=id,status,lastRemoteActionResult";
    int pages = 0;
    while (next != null) {
      JsonObject page = send(http.getAbs(next).putHeader("User-Agent", USER_AGENT)
          .putHeader("Authorization", "Bearer " + graphToken)).bodyAsJsonObject();
      page.getJsonArray("value", new JsonArray()).forEach(item -> all.add((JsonObject) item));
      next = page.getString("@odata.nextLink");
      pages++;
    }

    assertThat(pages).isEqualTo(3);
    assertThat(all).hasSize(5);
    assertThat(all).allSatisfy(pc -> assertThat(pc.fieldNames())
        .containsExactlyInAnyOrder("id", "status", "lastRemoteActionResult"));
    JsonObject megan = all.stream().filter(pc -> pc.getString("id").equals(rebuilt)).findFirst().orElseThrow();
    assertThat(megan.getJsonObject("lastRemoteActionResult").getString("actionName")).isEqualTo("Reprovision");
    assertThat(megan.getJsonObject("lastRemoteActionResult").getString("actionState")).isIn("pending", "active");
    assertThat(all.stream().filter(pc -> !pc.getString("id").equals(rebuilt)))
        .allSatisfy(pc -> assertThat(pc.getValue("lastRemoteActionResult")).isNull());
    JsonObject plain = getPc(rebuilt).bodyAsJsonObject();
    assertThat(plain.containsKey("lastRemoteActionResult")).as("only with $select").isFalse();
  }

  private String tokenOfAnotherApp() {
    JsonObject claims = claimsOf(graphToken).copy()
        .put("appid", "4f1d2c3b-0a9e-4b8c-9d7e-6f5a4b3c2d1e").put("azp", "4f1d2c3b-0a9e-4b8c-9d7e-6f5a4b3c2d1e");
    return sandbox.identity().mint(claims);
  }
}
