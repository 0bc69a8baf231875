package dev.cloudpc.reprovision.connector;

import static dev.cloudpc.reprovision.support.Await.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.cloudpc.reprovision.cloudpc.ReprovisionOptions;
import dev.cloudpc.reprovision.connector.DefinitionTree.Operation;
import dev.cloudpc.reprovision.http.ApiRoute;
import dev.cloudpc.reprovision.http.ApiRoutes;
import dev.cloudpc.reprovision.sandbox.SandboxSeed;
import dev.cloudpc.reprovision.support.StrictVertxTest;
import dev.cloudpc.reprovision.support.TestStack;
import io.swagger.models.Scheme;
import io.swagger.models.Swagger;
import io.swagger.parser.SwaggerParser;
import io.swagger.parser.util.SwaggerDeserializationResult;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The custom-connector definition is the router's contract: a real Swagger 2.0 parser accepts it, it names exactly the
 * routes of {@link ApiRoutes}, carries the labels Power Platform shows, and its schemas cover what the product sends.
 * HTTP calls are awaited on the test thread so that parsing stays off the event loops.
 */
class ApiDefinitionTest extends StrictVertxTest {
  private static final String DEFINITION = "connector/apiDefinition.swagger.json";
  private static final String PROPERTIES = "connector/apiProperties.json";
  private static final List<ApiRoute> SINGLE_ROUTES = List.of(ApiRoutes.REPROVISION,
      ApiRoutes.REPROVISION_FOR_USER, ApiRoutes.REPROVISION_MINE);
  private static final List<ApiRoute> BULK_ROUTES = List.of(ApiRoutes.REPROVISION_MANY,
      ApiRoutes.REPROVISION_ALL_OF_USER);
  private static final Set<String> VISIBILITIES = Set.of("important", "advanced", "internal");
  private static final String MEGAN_PC = SandboxSeed.MEGAN_CLOUD_PCS.get(0);

  private static TestStack stack;
  private static String text;
  private static DefinitionTree tree;

  @BeforeAll
  static void start() {
    stack = TestStack.start(vertx, Map.of());
    // The first calls warm the caches (and the JVM); let them finish before the parsing tests load the CPU.
    await(stack.client.get("/api/health").send());
    text = resource(DEFINITION);
    tree = DefinitionTree.parse(text);
  }

  @AfterAll
  static void stop() {
    stack.close();
  }

  @Test
  void realSwaggerParserAcceptsTheDefinitionWithoutMessages() {
    SwaggerDeserializationResult result = new SwaggerParser().readWithInfo(text);

    assertThat(result.getMessages()).isEmpty();
    Swagger swagger = result.getSwagger();
    assertThat(swagger.getSwagger()).isEqualTo("2.0");
    assertThat(swagger.getInfo().getTitle()).isEqualTo("Cloud PC Reprovision");
    // The checked-in file keeps a placeholder host (connector/readme.md names it; --connector fills it in).
    assertThat(swagger.getHost()).isEqualTo("your-function-app.azurewebsites.net");
    assertThat(swagger.getBasePath()).isEqualTo("/api");
    assertThat(swagger.getSchemes()).containsExactly(Scheme.HTTPS);
  }

  @Test
  void definitionNamesExactlyTheRoutersRoutesWithTheirOperationIds() {
    Swagger swagger = new SwaggerParser().parse(text);
    Map<String, String> inDefinition = new HashMap<>();
    swagger.getPaths().forEach((path, item) -> item.getOperationMap()
        .forEach((method, operation) -> inDefinition.put(method.name() + " " + path, operation.getOperationId())));

    Map<String, String> inRouter = ApiRoutes.ALL.stream()
        .collect(Collectors.toMap(r -> r.method().name() + " /" + r.functionRoute(), ApiRoute::operationId));
    assertThat(inDefinition).isEqualTo(inRouter);
  }

  @Test
  void onlyAnonymousRoutesGoWithoutSignInAndTheKeyIsTheConnectionsNotAParameter() {
    // One authentication type per connector (Entra ID); the key comes from a connection parameter through a policy
    // (apiProperties.json), as the certified connectors that need a second credential do it.
    JsonObject definitions = tree.root().getJsonObject("securityDefinitions");
    assertThat(definitions.fieldNames()).containsExactly("entra_id");
    JsonObject entra = definitions.getJsonObject("entra_id");
    assertThat(entra.getString("type")).isEqualTo("oauth2");
    assertThat(entra.getString("flow")).isEqualTo("accessCode");
    assertThat(entra.getString("authorizationUrl")).startsWith("https://login.");
    assertThat(entra.getString("tokenUrl")).startsWith("https://login.");
    assertThat(tree.root().getJsonArray("security"))
        .isEqualTo(new JsonArray().add(new JsonObject().put("entra_id", new JsonArray())));

    for (ApiRoute route : ApiRoutes.ALL) {
      JsonObject operation = tree.operation(route).json();
      if (route.anonymous()) {
        assertThat(operation.getJsonArray("security")).as(route.operationId()).isNotNull().isEmpty();
      } else {
        assertThat(operation.containsKey("security")).as(route.operationId() + " inherits sign-in").isFalse();
      }
      assertThat(tree.parameters(tree.operation(route))).extracting(p -> p.getString("name"))
          .as(route.operationId()).doesNotContain("x-functions-key", "code");
    }
  }

  @Test
  void everyParameterPropertyAndHeaderCarriesPowerPlatformLabels() {
    for (Operation operation : tree.operations()) {
      assertThat(operation.json().getString("summary")).as(operation.key()).isNotBlank().doesNotEndWith(".");
      assertThat(operation.json().getString("description")).as(operation.key()).endsWith(".");
      assertThat(operation.json().getString("x-ms-visibility")).as(operation.key()).isIn(VISIBILITIES);
      for (JsonObject parameter : tree.parameters(operation)) {
        String name = operation.key() + " " + parameter.getString("name");
        assertThat(parameter.getString("x-ms-summary")).as(name).isNotBlank();
        assertThat(parameter.getString("x-ms-visibility")).as(name).isIn(VISIBILITIES);
        assertThat(parameter.getString("description")).as(name).isNotBlank();
        if ("path".equals(parameter.getString("in"))) {
          assertThat(parameter.getBoolean("required")).as(name).isTrue();
        }
      }
      operation.json().getJsonObject("responses").forEach(entry -> {
        JsonObject headers = tree.resolve((JsonObject) entry.getValue()).getJsonObject("headers", new JsonObject());
        headers.forEach(header -> assertThat(((JsonObject) header.getValue()).getString("x-ms-summary"))
            .as(operation.key() + " " + entry.getKey() + " header " + header.getKey()).isNotBlank());
      });
    }
    tree.root().getJsonObject("definitions").forEach(definition -> ((JsonObject) definition.getValue())
        .getJsonObject("properties").forEach(property -> {
          String name = definition.getKey() + "." + property.getKey();
          JsonObject declared = (JsonObject) property.getValue();
          JsonObject labelled = tree.resolve(declared);
          assertThat(labelled.getString("x-ms-summary")).as(name).isNotBlank();
          assertThat(labelled.getString("x-ms-visibility")).as(name).isIn(VISIBILITIES);
          assertThat(labelled.getString("description")).as(name).isNotBlank();
        }));
  }

  @Test
  void enumsAreExactlyTheValuesTheProductAccepts() {
    JsonObject options = tree.properties("ReprovisionOptions");
    assertThat(options.getJsonObject("osVersion").getJsonArray("enum").getList())
        .isEqualTo(ReprovisionOptions.OS_VERSIONS);
    assertThat(options.getJsonObject("userAccountType").getJsonArray("enum").getList())
        .isEqualTo(ReprovisionOptions.USER_ACCOUNT_TYPES);
    JsonObject bulk = tree.properties("BulkReprovisionRequest");
    assertThat(bulk.getJsonObject("osVersion")).isEqualTo(options.getJsonObject("osVersion"));
    assertThat(bulk.getJsonObject("userAccountType")).isEqualTo(options.getJsonObject("userAccountType"));

    // Bodies exactly where the product reads one; the user routes refuse a body.
    Map<ApiRoute, String> bodies = Map.of(ApiRoutes.REPROVISION, "ReprovisionOptions",
        ApiRoutes.REPROVISION_MANY, "BulkReprovisionRequest");
    for (ApiRoute route : ApiRoutes.ALL) {
      List<String> schemas = tree.parameters(tree.operation(route)).stream()
          .filter(p -> "body".equals(p.getString("in")))
          .map(p -> DefinitionTree.definitionName(p.getJsonObject("schema"))).toList();
      assertThat(schemas).as(route.operationId())
          .isEqualTo(bodies.containsKey(route) ? List.of(bodies.get(route)) : List.of());
    }
  }

  @Test
  void reprovisionActionsAndTheirPollingTargetsFollowTheAsyncPattern() {
    List<ApiRoute> actions = ApiRoutes.ALL.stream().filter(r -> r.method() == HttpMethod.POST).toList();
    assertThat(actions).containsAll(SINGLE_ROUTES).containsAll(BULK_ROUTES);
    for (ApiRoute route : actions) {
      Operation operation = tree.operation(route);
      JsonObject accepted = tree.response(operation, 202);
      assertThat(accepted.getJsonObject("headers").fieldNames()).as(route.operationId())
          .contains("Location", "Retry-After", "client-request-id");
      assertThat(accepted.getJsonObject("headers").getJsonObject("Retry-After").getString("type"))
          .isEqualTo("integer");
      assertThat(tree.parameters(operation)).extracting(p -> p.getString("name")).contains("dryRun");
      boolean bulk = BULK_ROUTES.contains(route);
      assertThat(DefinitionTree.definitionName(accepted.getJsonObject("schema")))
          .isEqualTo(bulk ? "BulkReprovision" : "ReprovisionAccepted");
      assertThat(DefinitionTree.definitionName(tree.response(operation, 200).getJsonObject("schema")))
          .isEqualTo(bulk ? "BulkReprovision" : "ReprovisionResult");
    }
    for (ApiRoute route : SINGLE_ROUTES) {
      Operation operation = tree.operation(route);
      assertThat(tree.response(operation, 202).getJsonObject("headers").fieldNames()).contains("request-id");
      assertThat(tree.parameters(operation)).extracting(p -> p.getString("name")).contains("Idempotency-Key");
    }
    Map<ApiRoute, String> polls = Map.of(ApiRoutes.OPERATION, "ReprovisionOperation",
        ApiRoutes.BULK_OPERATION, "BulkReprovision");
    polls.forEach((route, schema) -> {
      Operation poll = tree.operation(route);
      assertThat(tree.response(poll, 202).getJsonObject("headers").fieldNames()).contains("Location", "Retry-After");
      assertThat(DefinitionTree.definitionName(tree.response(poll, 202).getJsonObject("schema"))).isEqualTo(schema);
      assertThat(DefinitionTree.definitionName(tree.response(poll, 200).getJsonObject("schema"))).isEqualTo(schema);
    });
    assertThat(DefinitionTree.definitionName(tree.response(tree.operation(ApiRoutes.OPERATION), 422)
        .getJsonObject("schema"))).isEqualTo("Problem");

    // After polling, a single reprovision's output is the finished operation: the result schema repeats it.
    JsonObject result = tree.properties("ReprovisionResult");
    tree.properties("ReprovisionOperation").forEach(property -> assertThat(result.getJsonObject(property.getKey()))
        .as("ReprovisionResult." + property.getKey()).isEqualTo(property.getValue()));
  }

  @Test
  void everyErrorResponseIsAProblem() {
    for (Operation operation : tree.operations()) {
      operation.json().getJsonObject("responses").fieldNames().stream()
          .filter(code -> Integer.parseInt(code) >= 400)
          .forEach(code -> {
            JsonObject response = tree.resolve(operation.json().getJsonObject("responses").getJsonObject(code));
            assertThat(DefinitionTree.definitionName(response.getJsonObject("schema")))
                .as(operation.key() + " " + code).isEqualTo("Problem");
            assertThat(operation.json().getJsonArray("produces").getList()).as(operation.key())
                .contains("application/problem+json");
          });
    }
  }

  @Test
  void everyGuardedOperationDeclaresWhatAnyGuardedRouteMayAnswer() {
    // Hygiene (400), key and token (401), rights (403), Graph's not-found (404), throttling and the Graph budget
    // (429), settings (500), Graph's failures (502, 503) and the deadline (504) can answer any of them.
    Set<String> always = Set.of("400", "401", "403", "404", "429", "500", "502", "503", "504");
    for (ApiRoute route : ApiRoutes.ALL) {
      if (!route.anonymous()) {
        assertThat(tree.operation(route).json().getJsonObject("responses").fieldNames()).as(route.operationId())
            .containsAll(always);
      }
    }
  }

  @Test
  void everyReferenceResolves() {
    assertThat(tree.references()).isNotEmpty()
        .allSatisfy(ref -> tree.resolve(new JsonObject().put("$ref", ref)));
  }

  @Test
  void servedAnonymouslyAsTheSameDocumentWithTheRequestsHostWhileOtherRoutesNeedTheKey() {
    HttpResponse<Buffer> served = await(stack.client.get("/api/openapi.json").send());
    HttpResponse<Buffer> guarded = await(stack.client.get("/api/cloudpcs/" + MEGAN_PC).send());

    assertThat(served.statusCode()).isEqualTo(200);
    assertThat(served.getHeader("Content-Type")).startsWith("application/json");
    JsonObject expected = new JsonObject(text).put("host", "127.0.0.1:" + stack.app.port())
        .put("schemes", new JsonArray().add("http"));
    assertThat(served.bodyAsJsonObject()).isEqualTo(expected);
    SwaggerDeserializationResult parsed = new SwaggerParser().readWithInfo(served.bodyAsString());
    assertThat(parsed.getMessages()).isEmpty();
    assertThat(parsed.getSwagger().getSwagger()).isEqualTo("2.0");
    assertThat(guarded.statusCode()).isEqualTo(401);
  }

  @Test
  void theServedHostIsTheRequestsHostAndForwardingHeadersDoNotChangeItOnTheLocalHost() {
    HttpResponse<Buffer> named = await(stack.client.get("/api/openapi.json")
        .putHeader("Host", "contoso-reprovision.example:8443").send());
    HttpResponse<Buffer> forwarded = await(stack.client.get("/api/openapi.json")
        .putHeader("X-Forwarded-Host", "evil.example").putHeader("X-Forwarded-Proto", "https").send());

    assertThat(named.bodyAsJsonObject().getString("host")).isEqualTo("contoso-reprovision.example:8443");
    assertThat(named.bodyAsJsonObject().getJsonArray("schemes")).isEqualTo(new JsonArray().add("http"));
    // The local host is reached directly: nothing in front of it sets these, so any caller could.
    assertThat(forwarded.bodyAsJsonObject().getString("host")).isEqualTo("127.0.0.1:" + stack.app.port());
    assertThat(forwarded.bodyAsJsonObject().getJsonArray("schemes")).isEqualTo(new JsonArray().add("http"));
  }

  @Test
  void bothConnectorFilesShipOnTheClasspath() {
    assertThat(ApiDefinitionTest.class.getClassLoader().getResource(DEFINITION)).isNotNull();
    assertThat(ApiDefinitionTest.class.getClassLoader().getResource(PROPERTIES)).isNotNull();

    JsonObject properties = new JsonObject(resource(PROPERTIES)).getJsonObject("properties");
    // paconn's apiProperties schema allows only these members.
    assertThat(Set.of("iconBrandColor", "capabilities", "connectionParameters", "policyTemplateInstances",
        "publisher", "stackOwner")).containsAll(properties.fieldNames());
    assertThat(properties.getString("iconBrandColor")).matches("^#[0-9A-Fa-f]{6}$");
    assertThat(properties.getJsonArray("capabilities").getList()).contains("actions");
    JsonObject oauth = properties.getJsonObject("connectionParameters").getJsonObject("token")
        .getJsonObject("oAuthSettings");
    assertThat(oauth.getString("identityProvider")).isEqualTo("aad");
    String resource = oauth.getJsonObject("customParameters").getJsonObject("resourceUri").getString("value");
    assertThat(resource).startsWith("api://");
    assertThat(oauth.getJsonObject("properties").getString("AzureActiveDirectoryResourceId")).isEqualTo(resource);
  }

  @Test
  void responseSchemasCoverWhatTheProductSends() {
    String admin = stack.adminToken();
    String reprovision = "/api/cloudpcs/" + MEGAN_PC + "/reprovision";

    HttpResponse<Buffer> dryRun = await(stack.post(reprovision + "?dryRun=true", admin));
    assertThat(dryRun.statusCode()).as(dryRun.bodyAsString()).isEqualTo(200);
    assertCovered("ReprovisionResult", dryRun.bodyAsJsonObject());
    assertCovered("GraphRequest", dryRun.bodyAsJsonObject().getJsonObject("wouldSend"));

    HttpResponse<Buffer> accepted = await(stack.postJson(reprovision, admin, "{\"osVersion\":\"windows11\"}"));
    assertThat(accepted.statusCode()).as(accepted.bodyAsString()).isEqualTo(202);
    assertCovered("ReprovisionAccepted", accepted.bodyAsJsonObject());
    JsonObject declaredHeaders = tree.response(tree.operation(ApiRoutes.REPROVISION), 202).getJsonObject("headers");
    declaredHeaders.fieldNames().forEach(header -> assertThat(accepted.getHeader(header)).as(header).isNotBlank());

    HttpResponse<Buffer> status = await(stack.get("/api/cloudpcs/" + MEGAN_PC, admin));
    assertThat(status.statusCode()).isEqualTo(200);
    assertCovered("CloudPcStatus", status.bodyAsJsonObject());

    String poll = URI.create(accepted.getHeader("Location")).getRawPath();
    HttpResponse<Buffer> operation = await(stack.request(HttpMethod.GET, poll, admin).send());
    assertThat(operation.statusCode()).as(operation.bodyAsString()).isIn(200, 202);
    assertCovered("ReprovisionOperation", operation.bodyAsJsonObject());
    if (operation.bodyAsJsonObject().containsKey("reprovision")) {
      assertCovered("RemoteActionState", operation.bodyAsJsonObject().getJsonObject("reprovision"));
    }

    String bulk = "/api/cloudpcs/reprovision";
    String ids = new JsonObject().put("cloudPcIds", SandboxSeed.ADELE_CLOUD_PCS).encode();
    HttpResponse<Buffer> bulkDryRun = await(stack.postJson(bulk + "?dryRun=true", admin, ids));
    assertThat(bulkDryRun.statusCode()).as(bulkDryRun.bodyAsString()).isEqualTo(200);
    assertBulkCovered(bulkDryRun.bodyAsJsonObject());
    HttpResponse<Buffer> bulkAccepted = await(stack.postJson(bulk, admin, ids));
    assertThat(bulkAccepted.statusCode()).as(bulkAccepted.bodyAsString()).isEqualTo(202);
    assertBulkCovered(bulkAccepted.bodyAsJsonObject());
    String bulkPoll = URI.create(bulkAccepted.getHeader("Location")).getRawPath();
    HttpResponse<Buffer> bulkOperation = await(stack.request(HttpMethod.GET, bulkPoll, admin).send());
    assertThat(bulkOperation.statusCode()).as(bulkOperation.bodyAsString()).isIn(200, 202);
    assertBulkCovered(bulkOperation.bodyAsJsonObject());

    HttpResponse<Buffer> refused = await(stack.post("/api/cloudpcs/not-a-guid/reprovision", admin));
    assertThat(refused.statusCode()).isEqualTo(400);
    assertThat(refused.getHeader("Content-Type")).startsWith("application/problem+json");
    assertCovered("Problem", refused.bodyAsJsonObject());

    HttpResponse<Buffer> health = await(stack.client.get("/api/health").send());
    assertThat(health.statusCode()).as(health.bodyAsString()).isEqualTo(200);
    assertCovered("Health", health.bodyAsJsonObject());
    JsonObject checks = health.bodyAsJsonObject().getJsonObject("checks");
    assertCovered("HealthChecks", checks);
    checks.forEach(check -> assertCovered("HealthCheck", (JsonObject) check.getValue()));
  }

  private static void assertBulkCovered(JsonObject sent) {
    assertCovered("BulkReprovision", sent);
    sent.getJsonArray("results").forEach(line -> assertCovered("BulkPcResult", (JsonObject) line));
  }

  /** Every member the product sent is declared, and a declared enum holds the value sent. */
  private static void assertCovered(String definition, JsonObject sent) {
    JsonObject declared = tree.properties(definition);
    assertThat(declared.fieldNames()).as(definition + " declares what was sent: " + sent.encode())
        .containsAll(sent.fieldNames());
    sent.forEach(member -> {
      JsonObject property = tree.resolve(declared.getJsonObject(member.getKey()));
      if (property.containsKey("enum") && member.getValue() != null) {
        assertThat(property.getJsonArray("enum").getList()).as(definition + "." + member.getKey())
            .contains(member.getValue());
      }
    });
  }

  private static String resource(String name) {
    try (InputStream in = ApiDefinitionTest.class.getClassLoader().getResourceAsStream(name)) {
      assertThat(in).as(name + " on the classpath").isNotNull();
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
