package dev.cloudpc.reprovision.connector;

import static dev.cloudpc.reprovision.support.Await.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.cloudpc.reprovision.config.Settings;
import dev.cloudpc.reprovision.connector.DefinitionTree.Operation;
import dev.cloudpc.reprovision.http.ApiRoutes;
import dev.cloudpc.reprovision.sandbox.SandboxSeed;
import dev.cloudpc.reprovision.sandbox.SandboxTenant;
import dev.cloudpc.reprovision.sandbox.TokenVersion;
import dev.cloudpc.reprovision.support.StrictVertxTest;
import dev.cloudpc.reprovision.support.TestStack;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The checked-in connector used as Power Platform uses it, against the product on the sandbox: a connection (sign-in,
 * function key, host) and nothing else reaches every operation, a reprovision is waited for by polling its Location
 * through the connection, the pickers' list operations answer the shape the definition declares, and the tenant list
 * pages through its next links.
 */
class ConnectorConnectionTest extends StrictVertxTest {
  private static final String MEGAN_PC = SandboxSeed.MEGAN_CLOUD_PCS.get(0);
  private static final String ADELE_PC = SandboxSeed.ADELE_CLOUD_PCS.get(0);

  private static TestStack stack;
  private static ConnectorFiles folder;
  /** Megan: a signed-in user with the admin role, as an admin's connection is. */
  private static ConnectorRuntime admin;
  /** Adele: a signed-in user with the self scope only. */
  private static ConnectorRuntime adele;

  @BeforeAll
  static void start() {
    stack = TestStack.start(vertx, Map.of("POLL_RETRY_AFTER_SECONDS", "1"));
    folder = ConnectorFiles.read(ConnectorFiles.CHECKED_IN);
    admin = connection(folder, stack.tenant.identity().mintUserToken(SandboxSeed.MEGAN,
        List.of(SandboxTenant.SELF_SCOPE), List.of(SandboxTenant.ADMIN_ROLE), TokenVersion.V2, Duration.ofHours(1)));
    adele = connection(folder, stack.userToken(SandboxSeed.ADELE));
    await(stack.client.get("/api/health").send());
  }

  @AfterAll
  static void stop() {
    stack.close();
  }

  /** A connection of {@code connector} to the test's function: its key, its loopback host, and a user's token. */
  private static ConnectorRuntime connection(ConnectorFiles connector, String bearer) {
    String host = "127.0.0.1:" + stack.app.port();
    return new ConnectorRuntime(connector, Map.of("functionKey", stack.tenant.functionKey(), "functionAppHost", host),
        bearer, stack.client, url -> url.replace("https://" + host, "http://" + host));
  }

  @Test
  void everyOperationCanBeCalledWithOnlyWhatTheConnectionSupplies() {
    Map<String, Integer> expected = new LinkedHashMap<>();
    Map<String, Map<String, Object>> arguments = new HashMap<>();
    String megan = SandboxSeed.MEGAN.userPrincipalName();
    expect(expected, arguments, ApiRoutes.REPROVISION, 200, Map.of("cloudPcId", MEGAN_PC, "dryRun", true));
    expect(expected, arguments, ApiRoutes.REPROVISION_FOR_USER, 200,
        Map.of("userId", megan, "cloudPcId", MEGAN_PC, "dryRun", true));
    expect(expected, arguments, ApiRoutes.REPROVISION_MINE, 200, Map.of("cloudPcId", ADELE_PC, "dryRun", true));
    expect(expected, arguments, ApiRoutes.STATUS, 200, Map.of("cloudPcId", MEGAN_PC));
    expect(expected, arguments, ApiRoutes.OPERATION, 404, Map.of("cloudPcId", MEGAN_PC, "operationId", "x"));
    expect(expected, arguments, ApiRoutes.REPROVISION_MANY, 200,
        Map.of("body", new JsonObject().put("cloudPcIds", new JsonArray().add(MEGAN_PC)), "dryRun", true));
    expect(expected, arguments, ApiRoutes.REPROVISION_ALL_OF_USER, 200, Map.of("userId", megan, "dryRun", true));
    expect(expected, arguments, ApiRoutes.BULK_OPERATION, 404, Map.of("bulkOperationId", "x"));
    expect(expected, arguments, ApiRoutes.LIST_MINE, 200, Map.of());
    expect(expected, arguments, ApiRoutes.LIST_OF_USER, 200, Map.of("userId", megan));
    expect(expected, arguments, ApiRoutes.LIST_TENANT, 200, Map.of());
    expect(expected, arguments, ApiRoutes.HEALTH, 200, Map.of());
    expect(expected, arguments, ApiRoutes.API_DEFINITION, 200, Map.of());
    assertThat(expected.keySet()).as("every operation of the route table")
        .containsExactlyInAnyOrderElementsOf(ApiRoutes.ALL.stream().map(r -> r.operationId()).toList());

    // The same connector without its key policy: the function key no longer reaches the function.
    JsonObject withoutKey = folder.properties().copy();
    withoutKey.put("policyTemplateInstances", new JsonArray(withoutKey.getJsonArray("policyTemplateInstances")
        .stream().filter(p -> !"setheader".equals(((JsonObject) p).getString("templateId"))).toList()));
    long postsBefore = stack.reprovisionPosts();
    ConnectorRuntime keyless = connection(new ConnectorFiles(folder.dir(), folder.definition(), withoutKey,
        folder.icon(), folder.readme(), folder.settings()), stack.userToken(SandboxSeed.MEGAN));

    expected.forEach((operationId, status) -> {
      HttpResponse<Buffer> answer = await(as(operationId).call(operationId, arguments.get(operationId)));
      assertThat(answer.statusCode()).as(operationId + " → " + answer.bodyAsString()).isEqualTo(status);
      boolean anonymous = ApiRoutes.ALL.stream().anyMatch(r -> r.operationId().equals(operationId) && r.anonymous());
      HttpResponse<Buffer> noKey = await(keyless.call(operationId, arguments.get(operationId)));
      assertThat(noKey.statusCode()).as(operationId + " without the key policy").isEqualTo(anonymous ? status : 401);
    });
    assertThat(stack.reprovisionPosts()).as("dry runs only").isEqualTo(postsBefore);
  }

  @Test
  void aReprovisionIsWaitedForByPollingItsLocationThroughTheConnection() {
    String picked = picked(await(adele.call(ApiRoutes.LIST_MINE.operationId(), Map.of())), 0);
    HttpResponse<Buffer> accepted = await(adele.call(ApiRoutes.REPROVISION_MINE.operationId(),
        Map.of("cloudPcId", picked)));
    assertThat(accepted.statusCode()).as(accepted.bodyAsString()).isEqualTo(202);

    HttpResponse<Buffer> done = await(untilDone(adele, accepted.getHeader("Location")));

    assertThat(done.statusCode()).as(done.bodyAsString()).isEqualTo(200);
    assertThat(done.bodyAsJsonObject().getString("state")).isEqualTo("succeeded");
    assertThat(done.bodyAsJsonObject().getString("cloudPcId")).isEqualTo(picked);
    assertThat(stack.tenant.graph().executedReprovisions(picked)).isEqualTo(1);
  }

  @Test
  void aBulkReprovisionIsWaitedForTheSameWay() {
    HttpResponse<Buffer> accepted = await(admin.call(ApiRoutes.REPROVISION_ALL_OF_USER.operationId(),
        Map.of("userId", SandboxSeed.MEGAN.userPrincipalName())));
    assertThat(accepted.statusCode()).as(accepted.bodyAsString()).isEqualTo(202);

    HttpResponse<Buffer> done = await(untilDone(admin, accepted.getHeader("Location")));

    assertThat(done.statusCode()).as(done.bodyAsString()).isEqualTo(200);
    assertThat(done.bodyAsJsonObject().getJsonObject("counts"))
        .isEqualTo(new JsonObject().put("succeeded", SandboxSeed.MEGAN_CLOUD_PCS.size()));
  }

  @Test
  void everyPickersListAnswersTheDeclaredShapeAndItsValuesAreAccepted() {
    DefinitionTree definition = folder.definition();
    long postsBefore = stack.reprovisionPosts();
    Map<String, Object> callerArguments = Map.of("userId", SandboxSeed.MEGAN.userPrincipalName());
    int pickers = 0;
    for (Operation caller : definition.operations()) {
      for (JsonObject parameter : definition.parameters(caller)) {
        JsonObject dynamic = parameter.getJsonObject("x-ms-dynamic-values");
        if (dynamic == null) {
          continue;
        }
        pickers++;
        Map<String, Object> listArguments = new HashMap<>();
        dynamic.getJsonObject("parameters").forEach(p -> listArguments.put(p.getKey(),
            callerArguments.get(((JsonObject) p.getValue()).getString("parameter"))));
        HttpResponse<Buffer> listed = await(as(caller.operationId()).call(dynamic.getString("operationId"),
            listArguments));
        assertDeclaredShape(definition, dynamic.getString("operationId"), listed);

        String value = picked(listed, 0);
        Map<String, Object> arguments = new HashMap<>(callerArguments);
        arguments.put(parameter.getString("name"), value);
        arguments.put("dryRun", true);
        if (caller.operationId().equals(ApiRoutes.OPERATION.operationId())) {
          continue; // its other parameter comes from a reprovision's answer, not from a picker
        }
        HttpResponse<Buffer> used = await(as(caller.operationId()).call(caller.operationId(), arguments));
        assertThat(used.statusCode()).as(caller.operationId() + " with the picked " + value + ": "
            + used.bodyAsString()).isEqualTo(200);
      }
    }
    assertThat(pickers).isEqualTo(5);
    assertThat(stack.reprovisionPosts()).isEqualTo(postsBefore);
  }

  @Test
  void theTenantListPagesThroughItsNextLinksOneGraphReadAPage() {
    long readsBefore = pageReads();
    List<String> seen = new ArrayList<>();
    HttpResponse<Buffer> page = await(admin.call(ApiRoutes.LIST_TENANT.operationId(), Map.of("top", 2)));
    int pages = 1;
    while (true) {
      assertDeclaredShape(folder.definition(), ApiRoutes.LIST_TENANT.operationId(), page);
      page.bodyAsJsonObject().getJsonArray("value").forEach(i -> seen.add(((JsonObject) i).getString("cloudPcId")));
      String next = page.bodyAsJsonObject().getString("nextLink");
      if (next == null) {
        break;
      }
      page = await(admin.follow(next));
      pages++;
    }

    assertThat(pages).isEqualTo(3);
    assertThat(seen).containsExactlyInAnyOrderElementsOf(concat(SandboxSeed.ADELE_CLOUD_PCS,
        SandboxSeed.MEGAN_CLOUD_PCS));
    assertThat(pageReads() - readsBefore).as("one Graph read a page").isEqualTo(3);
  }

  /**
   * Adele for the "my" operations: the sandbox's user setting lets her reset her own Cloud PCs (Megan's does not);
   * Megan, the admin, for the rest.
   */
  private static ConnectorRuntime as(String operationId) {
    return operationId.equals(ApiRoutes.REPROVISION_MINE.operationId())
        || operationId.equals(ApiRoutes.LIST_MINE.operationId()) ? adele : admin;
  }

  /** Graph reads of the tenant's list with this test's page size (the poll view reads the list too, unpaged). */
  private static long pageReads() {
    return stack.tenant.graph().requests().stream()
        .filter(r -> r.path().endsWith("/deviceManagement/virtualEndpoint/cloudPCs") && r.query().contains("top=2"))
        .count();
  }

  private static void expect(Map<String, Integer> expected, Map<String, Map<String, Object>> arguments,
                             dev.cloudpc.reprovision.http.ApiRoute route, int status, Map<String, Object> given) {
    expected.put(route.operationId(), status);
    arguments.put(route.operationId(), given);
  }

  private Future<HttpResponse<Buffer>> untilDone(ConnectorRuntime connection, String location) {
    return connection.follow(location).compose(answer -> answer.statusCode() != 202 ? Future.succeededFuture(answer)
        : vertx.timer(100).compose(v -> untilDone(connection, answer.getHeader("Location"))));
  }

  /** The value a picker shows first (value-collection "value", value-path "cloudPcId"). */
  private static String picked(HttpResponse<Buffer> listed, int index) {
    assertThat(listed.statusCode()).as(listed.bodyAsString()).isEqualTo(200);
    String value = listed.bodyAsJsonObject().getJsonArray("value").getJsonObject(index).getString("cloudPcId");
    assertThat(value).matches(Settings.GUID);
    return value;
  }

  /** 200 with exactly the 200 response's schema: every member declared, of the declared type, items likewise. */
  private static void assertDeclaredShape(DefinitionTree definition, String operationId, HttpResponse<Buffer> answer) {
    assertThat(answer.statusCode()).as(operationId + ": " + answer.bodyAsString()).isEqualTo(200);
    Operation operation = definition.operations().stream().filter(op -> op.operationId().equals(operationId))
        .findFirst().orElseThrow();
    JsonObject schema = definition.resolve(definition.response(operation, 200).getJsonObject("schema"));
    assertShape(definition, schema, answer.bodyAsJsonObject(), operationId);
    assertThat(answer.bodyAsJsonObject().getJsonArray("value")).as(operationId).isNotEmpty();
  }

  private static void assertShape(DefinitionTree definition, JsonObject schema, Object value, String where) {
    switch (schema.getString("type")) {
      case "object" -> {
        JsonObject properties = schema.getJsonObject("properties");
        assertThat(value).as(where).isInstanceOf(JsonObject.class);
        ((JsonObject) value).forEach(member -> {
          assertThat(properties.fieldNames()).as(where + " declares " + member.getKey()).contains(member.getKey());
          assertShape(definition, definition.resolve(properties.getJsonObject(member.getKey())), member.getValue(),
              where + "." + member.getKey());
        });
        if (where.endsWith("]")) {
          assertThat(((JsonObject) value).fieldNames()).as(where + " sends every declared member")
              .containsExactlyInAnyOrderElementsOf(properties.fieldNames());
        }
      }
      case "array" -> {
        assertThat(value).as(where).isInstanceOf(JsonArray.class);
        JsonObject items = definition.resolve(schema.getJsonObject("items"));
        ((JsonArray) value).forEach(item -> assertShape(definition, items, item, where + "[]"));
      }
      case "string" -> {
        assertThat(value).as(where).isInstanceOf(String.class);
        if ("uuid".equals(schema.getString("format"))) {
          assertThat((String) value).as(where).matches(Settings.GUID);
        }
      }
      case "boolean" -> assertThat(value).as(where).isInstanceOf(Boolean.class);
      case "integer" -> assertThat(value).as(where).isInstanceOf(Integer.class);
      default -> throw new AssertionError(where + ": type " + schema.getString("type"));
    }
  }

  private static List<String> concat(List<String> first, List<String> second) {
    List<String> all = new ArrayList<>(first);
    all.addAll(second);
    return all;
  }
}
