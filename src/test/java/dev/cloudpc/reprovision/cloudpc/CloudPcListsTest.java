package dev.cloudpc.reprovision.cloudpc;

import static dev.cloudpc.reprovision.support.Await.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.cloudpc.reprovision.sandbox.RecordedRequest;
import dev.cloudpc.reprovision.sandbox.SandboxSeed;
import dev.cloudpc.reprovision.sandbox.SandboxTenant;
import dev.cloudpc.reprovision.support.StrictVertxTest;
import dev.cloudpc.reprovision.support.TestStack;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The lists pickers choose Cloud PCs from: flat items, who may list what (as for reprovisioning), and the tenant list
 * reading exactly one Graph List Cloud PCs page per call — never the whole tenant.
 */
class CloudPcListsTest extends StrictVertxTest {
  private static final Set<String> ITEM_FIELDS = Set.of("cloudPcId", "displayName", "userPrincipalName", "status",
      "reprovisionable");
  private static final String GRAPH_LIST = ".*/deviceManagement/virtualEndpoint/cloudPCs";

  private static TestStack stack;

  @BeforeAll
  static void start() {
    SandboxTenant tenant = await(SandboxTenant.start(vertx, TestStack.options().withExtraCloudPcs(250)));
    stack = TestStack.start(vertx, tenant, Map.of());
  }

  @AfterAll
  static void stop() {
    stack.close();
  }

  @BeforeEach
  void forgetGraphCalls() {
    stack.tenant.graph().reset();
  }

  @Test
  void myListHoldsExactlyTheCallersCloudPcsAsFlatItems() {
    HttpResponse<Buffer> mine = get("/api/me/cloudpcs", stack.userToken(SandboxSeed.ADELE));

    assertThat(mine.statusCode()).as(mine.bodyAsString()).isEqualTo(200);
    JsonObject body = mine.bodyAsJsonObject();
    assertThat(body.fieldNames()).containsExactly("value");
    List<JsonObject> items = items(body);
    assertThat(items).extracting(i -> i.getString("cloudPcId"))
        .containsExactlyInAnyOrderElementsOf(SandboxSeed.ADELE_CLOUD_PCS);
    assertThat(items).allSatisfy(item -> {
      assertThat(item.fieldNames()).containsExactlyInAnyOrderElementsOf(ITEM_FIELDS);
      assertThat(item.getString("userPrincipalName")).isEqualTo(SandboxSeed.ADELE.userPrincipalName());
      assertThat(item.getString("status")).isEqualTo("provisioned");
      assertThat(item.getBoolean("reprovisionable")).isTrue();
    });
  }

  @Test
  void myListNeedsASignedInUser() {
    HttpResponse<Buffer> app = get("/api/me/cloudpcs", stack.adminToken());

    assertThat(problem(app, 403, "missing-permission").getString("detail")).contains("delegated user token");
    assertThat(stack.tenant.graph().count("GET", GRAPH_LIST)).isZero();
  }

  @Test
  void aUsersListIsForAdminsAndForThatUserOnly() {
    String adele = stack.userToken(SandboxSeed.ADELE);
    HttpResponse<Buffer> adminForMegan = get("/api/users/" + SandboxSeed.MEGAN.userPrincipalName() + "/cloudpcs",
        stack.adminToken());
    HttpResponse<Buffer> adeleByOid = get("/api/users/" + SandboxSeed.ADELE.id() + "/cloudpcs", adele);
    HttpResponse<Buffer> adeleByUpn = get("/api/users/" + SandboxSeed.ADELE.userPrincipalName() + "/cloudpcs", adele);
    HttpResponse<Buffer> adeleForMegan = get("/api/users/" + SandboxSeed.MEGAN.id() + "/cloudpcs", adele);
    HttpResponse<Buffer> nobody = get("/api/users/nobody@contoso.sandbox/cloudpcs", stack.adminToken());

    assertThat(ids(adminForMegan)).containsExactlyInAnyOrderElementsOf(SandboxSeed.MEGAN_CLOUD_PCS);
    assertThat(ids(adeleByOid)).containsExactlyInAnyOrderElementsOf(SandboxSeed.ADELE_CLOUD_PCS);
    assertThat(ids(adeleByUpn)).containsExactlyInAnyOrderElementsOf(SandboxSeed.ADELE_CLOUD_PCS);
    assertThat(problem(adeleForMegan, 403, "not-your-cloud-pc").getString("detail")).contains("only for yourself");
    assertThat(problem(nobody, 404, "user-not-found").getString("detail")).contains("nobody@contoso.sandbox");
  }

  @Test
  void theTenantListReadsOneGraphPagePerCallAndHandsOnTheRest() {
    String admin = stack.adminToken();
    List<String> seen = new ArrayList<>();
    String next = "/api/cloudpcs?top=100";
    int calls = 0;
    while (next != null) {
      HttpResponse<Buffer> page = get(next, admin);
      assertThat(page.statusCode()).as(page.bodyAsString()).isEqualTo(200);
      calls++;
      assertThat(stack.tenant.graph().count("GET", GRAPH_LIST)).as("Graph list requests after " + calls + " calls")
          .isEqualTo(calls);
      List<JsonObject> items = items(page.bodyAsJsonObject());
      assertThat(items).hasSizeLessThanOrEqualTo(100)
          .allSatisfy(item -> assertThat(item.fieldNames()).containsExactlyInAnyOrderElementsOf(ITEM_FIELDS));
      items.forEach(item -> seen.add(item.getString("cloudPcId")));
      String link = page.bodyAsJsonObject().getString("nextLink");
      if (link != null) {
        URI uri = URI.create(link);
        assertThat(uri.getScheme() + "://" + uri.getAuthority()).isEqualTo("http://127.0.0.1:" + stack.app.port());
        assertThat(uri.getRawQuery()).startsWith("pageToken=").doesNotContain("top=");
        next = uri.getRawPath() + "?" + uri.getRawQuery();
      } else {
        next = null;
      }
    }

    assertThat(calls).isEqualTo(3);
    assertThat(seen).hasSize(255).doesNotHaveDuplicates().containsAll(SandboxSeed.ADELE_CLOUD_PCS)
        .containsAll(SandboxSeed.MEGAN_CLOUD_PCS);
    List<RecordedRequest> reads = stack.tenant.graph().requests();
    assertThat(reads).allSatisfy(read -> {
      assertThat(read.path()).startsWith("/beta/");
      assertThat(query(read)).contains("$top=100").contains("$select=" + CloudPc.SELECT);
    });
  }

  @Test
  void theTenantListFiltersByUserAtGraphAndBySearchTextOnEachPage() {
    String admin = stack.adminToken();
    HttpResponse<Buffer> adeles = get("/api/cloudpcs?userPrincipalName=" + SandboxSeed.ADELE.userPrincipalName(),
        admin);
    HttpResponse<Buffer> searched = get("/api/cloudpcs?search=MEGAN", admin);
    HttpResponse<Buffer> byName = get("/api/cloudpcs?search=cpc-adele-2", admin);

    assertThat(ids(adeles)).containsExactlyInAnyOrderElementsOf(SandboxSeed.ADELE_CLOUD_PCS);
    assertThat(query(stack.tenant.graph().requests().get(0)))
        .contains("$filter=userPrincipalName eq '" + SandboxSeed.ADELE.userPrincipalName() + "'");
    assertThat(ids(searched)).containsExactlyInAnyOrderElementsOf(SandboxSeed.MEGAN_CLOUD_PCS);
    assertThat(URI.create(searched.bodyAsJsonObject().getString("nextLink")).getRawQuery())
        .startsWith("search=MEGAN&pageToken=");
    assertThat(ids(byName)).containsExactly(SandboxSeed.ADELE_CLOUD_PCS.get(1));
  }

  @Test
  void theTenantListIsForAdminsAndRefusesWhatItCannotRead() {
    String admin = stack.adminToken();
    String foreignLink = Base64.getUrlEncoder().withoutPadding()
        .encodeToString("/beta/users?$select=id".getBytes(StandardCharsets.UTF_8));

    JsonObject user = problem(get("/api/cloudpcs", stack.userToken(SandboxSeed.ADELE)), 403, "missing-permission");
    assertThat(user.getString("detail")).contains("GET /api/me/cloudpcs");
    assertThat(problem(get("/api/cloudpcs?top=0", admin), 400, "invalid-query-parameter").getString("field"))
        .isEqualTo("top");
    assertThat(problem(get("/api/cloudpcs?top=101", admin), 400, "invalid-query-parameter").getString("detail"))
        .contains("from 1 to 100");
    assertThat(problem(get("/api/cloudpcs?userPrincipalName=adele", admin), 400, "invalid-query-parameter")
        .getString("field")).isEqualTo("userPrincipalName");
    assertThat(problem(get("/api/cloudpcs?pageToken=not-a-token", admin), 400, "invalid-page-token")
        .getString("detail")).contains("nextLink");
    problem(get("/api/cloudpcs?pageToken=" + foreignLink, admin), 400, "invalid-page-token");
    assertThat(problem(get("/api/cloudpcs?top=5&pageToken=" + foreignLink, admin), 400, "invalid-query-parameter")
        .getString("detail")).contains("search only");
    assertThat(stack.tenant.graph().count("GET", GRAPH_LIST)).as("refused before any Graph read").isZero();
  }

  @Test
  void withOnBehalfOfMyListComesFromGraphsMeRouteWithTheCallersExchangedToken() {
    TestStack delegated = TestStack.start(vertx, Map.of("GRAPH_CREDENTIAL", "on-behalf-of"));
    try {
      String adele = delegated.userToken(SandboxSeed.ADELE);
      HttpResponse<Buffer> mine = await(delegated.get("/api/me/cloudpcs", adele));

      assertThat(ids(mine)).containsExactlyInAnyOrderElementsOf(SandboxSeed.ADELE_CLOUD_PCS);
      assertThat(items(mine.bodyAsJsonObject())).allSatisfy(item -> assertThat(item.getString("userPrincipalName"))
          .isEqualTo(SandboxSeed.ADELE.userPrincipalName()));
      RecordedRequest list = delegated.tenant.graph().requests().stream()
          .filter(r -> r.path().endsWith("/me/cloudPCs")).findFirst().orElseThrow();
      String token = list.header("Authorization").substring("Bearer ".length());
      JsonObject claims = new JsonObject(new String(Base64.getUrlDecoder().decode(token.split("\\.")[1]),
          StandardCharsets.UTF_8));
      assertThat(claims.getString("oid")).isEqualTo(SandboxSeed.ADELE.id());
      assertThat(claims.containsKey("roles")).as("a delegated token, not the app's").isFalse();
      assertThat(delegated.tenant.graph().count("GET", GRAPH_LIST)).as("no tenant-wide read").isZero();
    } finally {
      delegated.close();
    }
  }

  private static String query(RecordedRequest request) {
    return java.net.URLDecoder.decode(request.query().replace("+", "%2B"), StandardCharsets.UTF_8);
  }

  private static HttpResponse<Buffer> get(String path, String bearer) {
    return await(stack.get(path, bearer));
  }

  private static List<JsonObject> items(JsonObject body) {
    return body.getJsonArray("value").stream().map(JsonObject.class::cast).toList();
  }

  private static List<String> ids(HttpResponse<Buffer> response) {
    assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(200);
    return items(response.bodyAsJsonObject()).stream().map(i -> i.getString("cloudPcId")).toList();
  }

  private static JsonObject problem(HttpResponse<Buffer> response, int status, String slug) {
    assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(status);
    assertThat(response.getHeader("Content-Type")).startsWith("application/problem+json");
    JsonObject problem = response.bodyAsJsonObject();
    assertThat(problem.getString("type")).endsWith(":" + slug);
    return problem;
  }
}
