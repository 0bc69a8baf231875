package dev.cloudpc.reprovision.graph;

import static dev.cloudpc.reprovision.graph.GraphTestKit.adminRoute;
import static dev.cloudpc.reprovision.graph.GraphTestKit.bearerClaims;
import static dev.cloudpc.reprovision.graph.GraphTestKit.problem;
import static org.assertj.core.api.Assertions.assertThat;

import dev.cloudpc.reprovision.sandbox.RecordedRequest;
import dev.cloudpc.reprovision.sandbox.SandboxIdentity;
import dev.cloudpc.reprovision.sandbox.GraphLimits;
import dev.cloudpc.reprovision.sandbox.SandboxOptions;
import dev.cloudpc.reprovision.sandbox.SandboxSeed;
import dev.cloudpc.reprovision.sandbox.SandboxTenant;
import dev.cloudpc.reprovision.support.Await;
import dev.cloudpc.reprovision.support.StrictVertxTest;
import dev.cloudpc.reprovision.support.TestStack;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.VertxTestContext;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * App-only Graph tokens (client secret, managed identity) against the sandbox identity: one token request however many
 * requests wait for it, reuse until the refresh margin, and identity-provider failures as clear problems that never
 * leak a secret nor outlast the request's deadline. On-behalf-of: {@link OnBehalfOfTest}, {@link OnBehalfOfRoutesTest}.
 */
class GraphTokensTest extends StrictVertxTest {
  private static final String ADELE_PC = SandboxSeed.ADELE_CLOUD_PCS.get(0);
  private static final String MEGAN_PC = SandboxSeed.MEGAN_CLOUD_PCS.get(0);

  private TestStack stack;

  @AfterEach
  void stop() {
    if (stack != null) {
      stack.close();
    }
  }

  private SandboxIdentity start(Map<String, String> overrides) {
    return start(overrides, identity -> { });
  }

  /**
   * {@code beforeTheApp} sets the identity up before the app starts: the app fetches its token at start-up, so a
   * token-endpoint fault meant for that fetch, or a token lifetime, must be in place first.
   */
  private SandboxIdentity start(Map<String, String> overrides, Consumer<SandboxIdentity> beforeTheApp) {
    SandboxTenant tenant = TestStack.startTenant(vertx);
    beforeTheApp.accept(tenant.identity());
    stack = TestStack.start(vertx, tenant, overrides);
    return tenant.identity();
  }

  /** The start-up token is already inside the refresh margin: the first request fetches its own. */
  private static void startUpTokenNearExpiry(SandboxIdentity identity) {
    identity.setTokenLifetime(TokenCache.REFRESH_MARGIN.minusMinutes(1));
  }

  /** Managed-identity settings need the sandbox's endpoint, known only once it runs: start it, then the app. */
  private SandboxIdentity startManagedIdentity(Map<String, String> extra, boolean rightHeader) {
    return startManagedIdentity(extra, rightHeader, identity -> { });
  }

  private SandboxIdentity startManagedIdentity(Map<String, String> extra, boolean rightHeader,
                                               Consumer<SandboxIdentity> beforeTheApp) {
    SandboxTenant tenant = TestStack.startTenant(vertx);
    beforeTheApp.accept(tenant.identity());
    Map<String, String> env = new HashMap<>(extra);
    env.put("GRAPH_CREDENTIAL", "managed-identity");
    env.put("AZURE_CLIENT_SECRET", null); // managed identity needs no secret: prove it by removing it
    env.putIfAbsent("IDENTITY_ENDPOINT", tenant.identity().msiEndpoint().toString());
    env.put("IDENTITY_HEADER", rightHeader ? tenant.identity().identityHeader() : "not-the-header");
    stack = TestStack.start(vertx, tenant, env);
    return tenant.identity();
  }

  private Future<HttpResponse<Buffer>> reprovision(String cloudPcId) {
    return stack.post(adminRoute(cloudPcId), stack.adminToken());
  }

  @Test
  void tokenEndpointDownIsA503WithRetryAfterNamingTheEndpointAndIsNotHammered(VertxTestContext test) {
    SandboxIdentity identity = start(Map.of(), GraphTokensTest::startUpTokenNearExpiry);
    identity.setTokenLifetime(SandboxIdentity.DEFAULT_TOKEN_LIFETIME);
    identity.failTokenRequests(503, new JsonObject().put("error", "temporarily_unavailable")
        .put("error_description", "AADSTS90033: A transient error has occurred."));
    WebClient client = GraphTestKit.wideClient(stack, 10);
    String admin = stack.adminToken();
    List<Future<HttpResponse<Buffer>>> during = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      during.add(GraphTestKit.post(client, stack, adminRoute(MEGAN_PC), admin).send());
    }
    Future.all(during)
        .compose(all -> {
          test.verify(() -> {
            for (Future<HttpResponse<Buffer>> answer : during) {
              JsonObject body = problem(answer.result(), 503, "identity-provider-unavailable");
              assertThat(answer.result().getHeader("Retry-After")).isEqualTo("5");
              assertThat(body.getString("detail")).contains(stack.app.settings().tokenEndpoint().toString());
            }
            assertThat(identity.tokenRequests()).as("the start-up token, then one failed fetch: a failure is "
                + "remembered briefly, not retried per request").isEqualTo(2);
            assertThat(stack.tenant.graph().requests()).isEmpty();
          });
          identity.clearTokenFailures();
          return vertx.timer(1_100).compose(v -> reprovision(MEGAN_PC));
        })
        .onComplete(test.succeeding(recovered -> test.verify(() -> {
          assertThat(recovered.statusCode()).as(recovered.bodyAsString()).isEqualTo(202);
          assertThat(identity.tokenRequests()).isEqualTo(3);
          test.completeNow();
        })));
  }

  @Test
  void rejectedClientSecretIsA500NamingTheSettingWithoutShowingIt(VertxTestContext test) {
    String wrongSecret = "wrong-secret-Q7v~fake.value";
    start(Map.of("AZURE_CLIENT_SECRET", wrongSecret));
    reprovision(MEGAN_PC).onComplete(test.succeeding(response -> test.verify(() -> {
      JsonObject body = problem(response, 500, "function-credential-rejected");
      assertThat(body.getString("detail")).contains("AZURE_CLIENT_SECRET");
      assertThat(body.getString("identityError")).isEqualTo("invalid_client");
      assertThat(response.bodyAsString()).doesNotContain(wrongSecret).doesNotContain(stack.tenant.clientSecret());
      assertThat(stack.tenant.graph().requests()).isEmpty();
      test.completeNow();
    })));
  }

  /**
   * Entra's refusals as its token endpoint words them (the AADSTS code inside error_description; Microsoft identity
   * platform "error codes"): each names the setting to fix, through the library's token request.
   */
  @ParameterizedTest(name = "{0} / AADSTS{1} names {2}")
  @CsvSource({
      "invalid_client, 7000215, AZURE_CLIENT_SECRET, Invalid client secret provided.",
      "invalid_request, 90002, AZURE_TENANT_ID, Tenant contoso not found.",
      "unauthorized_client, 700016, AZURE_CLIENT_ID, Application with identifier x was not found in the directory."})
  void tokenEndpointRefusalsNameTheSettingToFix(String error, String code, String setting, String text,
                                                VertxTestContext test) {
    // Before the app starts: its start-up fetch is refused, and so is the request (the remembered refusal or its own).
    start(Map.of(), identity -> identity.failTokenRequests(400, new JsonObject().put("error", error)
        .put("error_description", "AADSTS" + code + ": " + text + "\r\nTrace ID: 0000\r\nCorrelation ID: 1111")));
    reprovision(MEGAN_PC).onComplete(test.succeeding(response -> test.verify(() -> {
      JsonObject body = problem(response, 500, "function-credential-rejected");
      assertThat(body.getString("detail")).contains("Fix " + setting).contains("AADSTS" + code)
          .doesNotContain("Trace ID");
      assertThat(body.getString("identityError")).isEqualTo(error);
      assertThat(body.getString("identityErrorCode")).isEqualTo("AADSTS" + code);
      assertThat(response.bodyAsString()).doesNotContain(stack.tenant.clientSecret());
      assertThat(stack.tenant.graph().requests()).isEmpty();
      test.completeNow();
    })));
  }

  /** A token endpoint that answers with no OAuth error at all (a proxy's 502 page) is an outage: 503, not a setting. */
  @Test
  void aTokenEndpointAnswerWithoutAnOAuthErrorIsAnOutage(VertxTestContext test) {
    start(Map.of(), identity -> identity.failTokenRequests(502, new JsonObject().put("message", "Bad gateway")));
    reprovision(MEGAN_PC).onComplete(test.succeeding(response -> test.verify(() -> {
      JsonObject body = problem(response, 503, "identity-provider-unavailable");
      assertThat(response.getHeader("Retry-After")).isEqualTo("5");
      assertThat(body.getString("detail")).contains(stack.app.settings().tokenEndpoint().toString());
      assertThat(stack.tenant.graph().requests()).isEmpty();
      test.completeNow();
    })));
  }

  @Test
  void fiveHundredConcurrentRequestsOnAColdCacheMakeOneTokenRequest(VertxTestContext test) {
    int requests = 500;
    stack = GraphTestKit.start(vertx, SandboxOptions.defaults().withGraphLimits(GraphLimits.generous()).withExtraCloudPcs(requests), Map.of());
    SandboxIdentity identity = stack.tenant.identity();
    WebClient client = GraphTestKit.wideClient(stack, requests);
    String admin = stack.adminToken();
    List<Future<HttpResponse<Buffer>>> all = new ArrayList<>();
    for (int i = 0; i < requests; i++) {
      all.add(GraphTestKit.post(client, stack, adminRoute(SandboxSeed.extraCloudPcId(i)), admin).send());
    }
    Future.all(all).onComplete(test.succeeding(done -> test.verify(() -> {
      assertThat(all).allSatisfy(f -> assertThat(f.result().statusCode()).as(f.result().bodyAsString())
          .isEqualTo(202));
      assertThat(identity.tokenRequests()).isEqualTo(1);
      assertThat(stack.app.graphTokenRequests()).isEqualTo(1);
      assertThat(stack.tenant.graph().count("POST", ".*/reprovision")).isEqualTo(requests);
      test.completeNow();
    })));
  }

  @Test
  void aTokenIsReusedUntilTheRefreshMargin(VertxTestContext test) {
    SandboxIdentity identity = start(Map.of());
    sequentially(SandboxSeed.ADELE_CLOUD_PCS).onComplete(test.succeeding(answers -> test.verify(() -> {
      assertThat(answers).allSatisfy(r -> assertThat(r.statusCode()).isEqualTo(202));
      assertThat(stack.tenant.graph().requests()).hasSizeGreaterThanOrEqualTo(6);
      assertThat(identity.tokenRequests()).isEqualTo(1);
      test.completeNow();
    })));
  }

  @Test
  void aTokenInsideTheRefreshMarginIsReplacedBeforeUse(VertxTestContext test) {
    SandboxIdentity identity = start(Map.of(), GraphTokensTest::startUpTokenNearExpiry);
    sequentially(SandboxSeed.ADELE_CLOUD_PCS).onComplete(test.succeeding(answers -> test.verify(() -> {
      assertThat(answers).allSatisfy(r -> assertThat(r.statusCode()).isEqualTo(202));
      List<RecordedRequest> graphCalls = stack.tenant.graph().requests();
      // Two rounds per reprovision — the PC read, then the POST — each found the previous token (the first round:
      // the start-up one) too close to expiry.
      int rounds = 2 * SandboxSeed.ADELE_CLOUD_PCS.size();
      assertThat(graphCalls).hasSize(2 * SandboxSeed.ADELE_CLOUD_PCS.size());
      assertThat(identity.tokenRequests()).isEqualTo(1 + rounds);
      assertThat(graphCalls.stream().map(GraphTestKit::bearer).distinct()).hasSize(rounds);
      test.completeNow();
    })));
  }

  private Future<List<HttpResponse<Buffer>>> sequentially(List<String> cloudPcIds) {
    Future<List<HttpResponse<Buffer>>> chain = Future.succeededFuture(new ArrayList<>());
    for (String id : cloudPcIds) {
      chain = chain.compose(answers -> reprovision(id).map(answer -> {
        answers.add(answer);
        return answers;
      }));
    }
    return chain;
  }

  @Test
  void managedIdentityTokensComeFromTheIdentityEndpointAndAreCached(VertxTestContext test) {
    SandboxIdentity identity = startManagedIdentity(Map.of(), true);
    reprovision(MEGAN_PC)
        .compose(first -> reprovision(ADELE_PC).map(second -> List.of(first, second)))
        .onComplete(test.succeeding(answers -> test.verify(() -> {
          assertThat(answers).allSatisfy(r -> assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(202));
          // expires_on arrives as a string of epoch seconds; read right, the token serves both requests.
          assertThat(identity.tokenRequests()).isEqualTo(1);
          RecordedRequest post = GraphTestKit.reprovisionPosts(stack, MEGAN_PC).get(0);
          assertThat(bearerClaims(post).getString("appid")).isEqualTo(SandboxSeed.MANAGED_IDENTITY_CLIENT_ID);
          test.completeNow();
        })));
  }

  @Test
  void managedIdentityRefusingTheHeaderIsA500ThatKeepsTheHeaderSecret(VertxTestContext test) {
    startManagedIdentity(Map.of(), false);
    reprovision(MEGAN_PC).onComplete(test.succeeding(response -> test.verify(() -> {
      problem(response, 500, "managed-identity-refused");
      assertThat(response.bodyAsString()).doesNotContain("not-the-header")
          .doesNotContain(stack.tenant.identity().identityHeader());
      assertThat(stack.tenant.graph().requests()).isEmpty();
      test.completeNow();
    })));
  }

  @Test
  void anUnknownUserAssignedIdentityIsA500NamingItsSetting(VertxTestContext test) {
    startManagedIdentity(Map.of("AZURE_MANAGED_IDENTITY_CLIENT_ID", "00000000-0000-4000-8000-000000000001"), true);
    reprovision(MEGAN_PC).onComplete(test.succeeding(response -> test.verify(() -> {
      JsonObject body = problem(response, 500, "managed-identity-refused");
      assertThat(body.getString("detail")).contains("AZURE_MANAGED_IDENTITY_CLIENT_ID");
      test.completeNow();
    })));
  }

  @Test
  void managedIdentityEndpointDownIsA503WithRetryAfter(VertxTestContext test) {
    startManagedIdentity(Map.of(), true,
        identity -> identity.failTokenRequests(500, new JsonObject().put("error", "unknown_error")));
    reprovision(MEGAN_PC).onComplete(test.succeeding(response -> test.verify(() -> {
      JsonObject body = problem(response, 503, "identity-provider-unavailable");
      assertThat(body.getString("detail")).contains("managed identity endpoint");
      assertThat(response.getHeader("Retry-After")).isNotBlank();
      assertThat(stack.tenant.graph().requests()).isEmpty();
      test.completeNow();
    })));
  }

  @Test
  void anIdentityEndpointThatNeverAnswersCannotStretchARequestPastItsDeadline(VertxTestContext test) {
    int deadlineSeconds = 2;
    HttpServer silent = Await.await(vertx.createHttpServer().requestHandler(request -> {
      // holds every request without answering, as a black-holed endpoint does
    }).listen(0, "127.0.0.1"));
    startManagedIdentity(Map.of("REQUEST_DEADLINE_SECONDS", Integer.toString(deadlineSeconds),
        "IDENTITY_ENDPOINT", "http://127.0.0.1:" + silent.actualPort() + "/msi/token"), true);
    long start = System.nanoTime();
    reprovision(MEGAN_PC)
        .eventually(() -> silent.close())
        .onComplete(test.succeeding(response -> test.verify(() -> {
          assertThat(GraphTestKit.elapsedMillis(start)).isLessThan(deadlineSeconds * 1000L + 750);
          problem(response, 504, "deadline-exceeded");
          assertThat(stack.tenant.graph().requests()).isEmpty();
          test.completeNow();
        })));
  }
}
