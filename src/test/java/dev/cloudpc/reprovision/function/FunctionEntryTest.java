package dev.cloudpc.reprovision.function;

import static org.assertj.core.api.Assertions.assertThat;

import com.microsoft.azure.functions.HttpMethod;
import com.microsoft.azure.functions.HttpResponseMessage;
import dev.cloudpc.reprovision.config.Settings;
import dev.cloudpc.reprovision.sandbox.SandboxOptions;
import dev.cloudpc.reprovision.sandbox.SandboxSeed;
import dev.cloudpc.reprovision.sandbox.SandboxTenant;
import dev.cloudpc.reprovision.sandbox.TokenVersion;
import dev.cloudpc.reprovision.support.Await;
import dev.cloudpc.reprovision.support.FakeHttpRequest;
import dev.cloudpc.reprovision.support.FakeInvocation;
import dev.cloudpc.reprovision.support.StrictVertxTest;
import dev.cloudpc.reprovision.support.TestStack;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Through the Azure Functions entry point as the Java worker calls it: a worker-like request message (raw URL behind
 * {@code URI.create}, lower-cased and joined headers, no body without Content-Length) on a worker thread, handed to
 * the router over loopback, answered with the router's status, headers and body.
 */
class FunctionEntryTest extends StrictVertxTest {
  private static final String PC = SandboxSeed.MEGAN_CLOUD_PCS.get(1);
  private static final String SITE = "https://cloudpc-fn.azurewebsites.net";
  private static final String CALLER_REQUEST_ID = "7b0c3a4e-2f1d-4c6b-9e8a-5d4c3b2a1f0e";

  private static SandboxTenant tenant;
  private static ReprovisionFunctions functions;
  private static String adminToken;

  @BeforeAll
  static void start() {
    tenant = Await.await(SandboxTenant.start(vertx, SandboxOptions.defaults()));
    Map<String, String> env = new HashMap<>(tenant.environment());
    env.remove("FUNCTION_KEY"); // under Azure the host checks keys, not the router
    env.put("REQUEST_DEADLINE_SECONDS", "10"); // a lost answer shows as a 504 in seconds, not minutes
    RouterHandover handover = RouterHandover.start(vertx, Settings.fromEnvironment(env));
    functions = new ReprovisionFunctions(handover::forward);
    adminToken = tenant.identity().mintApplicationToken(SandboxSeed.ADMIN_CALLER_APP_ID,
        List.of(SandboxTenant.ADMIN_ROLE), TokenVersion.V1, Duration.ofMinutes(30));
  }

  @BeforeEach
  void reset() {
    tenant.graph().reset();
  }

  @Test
  void adminReprovisionThroughTheFunctionAnswers202AndPostsOnce() {
    HttpResponseMessage response = functions.reprovision(admin(HttpMethod.POST, "/api/cloudpcs/" + PC
        + "/reprovision").header("Content-Type", "application/json").body("{\"osVersion\":\"windows11\"}").build(),
        FakeHttpRequest.context("inv-1"));

    assertThat(response.getStatusCode()).as(String.valueOf(response.getBody())).isEqualTo(202);
    JsonObject body = new JsonObject((String) response.getBody());
    assertThat(body.getString("cloudPcId")).isEqualTo(PC);
    assertThat(body.getString("graphRequestId")).isNotBlank();
    assertThat(response.getHeader("request-id")).isEqualTo(body.getString("graphRequestId"));
    assertThat(response.getHeader("client-request-id")).isNotBlank();
    assertThat(response.getHeader("location")).startsWith(SITE + "/api/cloudpcs/" + PC + "/operations/");
    assertThat(FakeHttpRequest.headersOf(response)).doesNotContainKeys("content-length", "Content-Length");
    assertThat(tenant.graph().requests()).filteredOn(r -> r.path().endsWith("/reprovision"))
        .singleElement().satisfies(post -> assertThat(post.body()).contains("windows11"));
  }

  @Test
  void problemsPassThroughWithTheirMediaType() {
    HttpResponseMessage response = functions.reprovision(admin(HttpMethod.POST,
        "/api/cloudpcs/not-a-guid/reprovision").build(), FakeHttpRequest.context("inv-2"));

    assertThat(response.getStatusCode()).isEqualTo(400);
    assertThat(response.getHeader("content-type")).isEqualTo("application/problem+json");
    assertThat(new JsonObject((String) response.getBody()).getString("detail")).contains("cloudPcId");
    assertThat(tenant.graph().requests()).isEmpty();
  }

  @Test
  void aQueryTheJdkCannotParseIsAProblemNamingTheParameterNotAnEmpty500() {
    HttpResponseMessage response = functions.status(admin(HttpMethod.GET, "/api/cloudpcs/" + PC + "?note=100%zz")
        .header("client-request-id", CALLER_REQUEST_ID).build(), FakeHttpRequest.context("inv-3"));

    assertThat(response.getStatusCode()).isEqualTo(400);
    assertThat(response.getHeader("content-type")).isEqualTo("application/problem+json");
    assertThat(response.getHeader("client-request-id")).isEqualTo(CALLER_REQUEST_ID);
    JsonObject problem = new JsonObject((String) response.getBody());
    assertThat(problem.getString("detail")).contains("query parameter 'note'").contains("percent-encode");
    assertThat(problem.getString("clientRequestId")).isEqualTo(CALLER_REQUEST_ID);
    assertThat(tenant.graph().requests()).isEmpty();
  }

  @Test
  void aKeyInABadQueryIsNeverEchoed() {
    HttpResponseMessage response = functions.status(admin(HttpMethod.GET, "/api/cloudpcs/" + PC
        + "?code=s3cr3t-k3y%zz").build(), FakeHttpRequest.context("inv-3b"));

    assertThat(response.getStatusCode()).isEqualTo(400);
    assertThat((String) response.getBody()).contains("'code'").doesNotContain("s3cr3t");
  }

  @Test
  void charactersOnlyTheJdkRefusesInAQueryAreEncodedAndServed() {
    HttpResponseMessage response = functions.status(admin(HttpMethod.GET, "/api/cloudpcs/" + PC
        + "?flow=a|b{c}").build(), FakeHttpRequest.context("inv-4"));

    assertThat(response.getStatusCode()).as(String.valueOf(response.getBody())).isEqualTo(200);
    assertThat(response.getHeader("client-request-id")).isNotBlank();
  }

  @Test
  void aChunkedBodyTheHostDroppedIsRefusedAndNothingReachesGraph() {
    FakeHttpRequest chunked = admin(HttpMethod.POST, "/api/cloudpcs/" + PC + "/reprovision")
        .header("Content-Type", "application/json").chunked("{\"osVersion\":\"windows11\"}").build();
    assertThat(chunked.getBody()).isEmpty();

    HttpResponseMessage response = functions.reprovision(chunked, FakeHttpRequest.context("inv-5"));

    assertThat(response.getStatusCode()).isEqualTo(411);
    assertThat(response.getHeader("content-type")).isEqualTo("application/problem+json");
    assertThat(response.getHeader("client-request-id")).isNotBlank();
    assertThat(new JsonObject((String) response.getBody()).getString("detail"))
        .contains("send the body with Content-Length");
    // The poll view may be refreshing for earlier tests' status reads meanwhile; this request sends nothing.
    String clientRequestId = response.getHeader("client-request-id");
    assertThat(tenant.graph().requests()).noneMatch(r -> clientRequestId.equals(r.header("client-request-id")))
        .noneMatch(r -> r.path().endsWith("/reprovision"));
  }

  @Test
  void aContentLengthWithoutTheBodyIsRefused() {
    HttpResponseMessage response = functions.reprovisionMany(admin(HttpMethod.POST, "/api/cloudpcs/reprovision")
        .header("Content-Type", "application/json").header("Content-Length", "42").build(),
        FakeHttpRequest.context("inv-6"));

    assertThat(response.getStatusCode()).isEqualTo(411);
    assertThat(tenant.graph().requests()).isEmpty();
  }

  @Test
  void routesWithoutABodyAreUnaffectedByAChunkedHeader() {
    String user = SandboxSeed.MEGAN.id();
    HttpResponseMessage response = functions.reprovisionForUser(admin(HttpMethod.POST, "/api/users/" + user
        + "/cloudpcs/" + PC + "/reprovision").chunked("").build(), FakeHttpRequest.context("inv-7"));

    assertThat(response.getStatusCode()).as(String.valueOf(response.getBody())).isEqualTo(202);
  }

  @Test
  void repeatedRequestHeadersArriveJoinedAndAreReadAsOne() {
    HttpResponseMessage response = functions.status(admin(HttpMethod.GET, "/api/cloudpcs/" + PC)
        .header("Accept", "application/json").header("Accept", "*/*").build(), FakeHttpRequest.context("inv-8"));

    assertThat(response.getStatusCode()).isEqualTo(200);
  }

  @Test
  void auditAndRefusalLinesReachTheInvocationsLoggerWithItsIds() {
    FakeInvocation accepted = FakeHttpRequest.context("inv-log-1");
    functions.reprovision(admin(HttpMethod.POST, "/api/cloudpcs/" + PC + "/reprovision").build(), accepted);
    accepted.finish();
    FakeInvocation refused = FakeHttpRequest.context("inv-log-2");
    functions.reprovision(admin(HttpMethod.POST, "/api/cloudpcs/not-a-guid/reprovision").build(), refused);
    refused.finish();

    assertThat(accepted.lines()).anySatisfy(line -> assertThat(line).startsWith("audit=reprovision outcome=")
        .contains("invocationId=inv-log-1", "traceId=" + accepted.traceparent().substring(3, 35)));
    assertThat(refused.lines()).anySatisfy(line -> assertThat(line)
        .contains("inv=inv-log-2", "traceparent=" + refused.traceparent(), "refused 400"));
    assertThat(accepted.ignored()).as("published after the invocation answered").isEmpty();
    assertThat(String.join("\n", accepted.lines()) + String.join("\n", refused.lines()))
        .doesNotContain(adminToken.substring(20, 60));
  }

  @Test
  void theInvocationsTraceCrossesTheLoopbackAsTheStandardHeaderAndReachesEveryGraphRequest() {
    FakeInvocation invocation = FakeHttpRequest.context("inv-trace");
    String callersOwn = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
    HttpResponseMessage response = functions.reprovision(admin(HttpMethod.POST, "/api/cloudpcs/" + PC
        + "/reprovision?dryRun=true").header("traceparent", callersOwn).header("tracestate", "caller=1").build(),
        invocation);

    assertThat(response.getStatusCode()).as(String.valueOf(response.getBody())).isEqualTo(200);
    String traceId = invocation.traceparent().substring(3, 35);
    assertThat(tenant.graph().requests()).hasSizeGreaterThanOrEqualTo(2).allSatisfy(request -> {
      assertThat(request.header("traceparent")).as(request.path()).startsWith("00-" + traceId + "-");
      assertThat(request.header("tracestate")).as("the caller's state belongs to the caller's span").isNull();
    });
  }

  @Test
  void concurrentInvocationsOnWorkerThreadsAreAllAnsweredAndLogOnlyTheirOwnLines() throws Exception {
    ExecutorService workers = Executors.newFixedThreadPool(8);
    try {
      List<Future<FakeInvocation>> answers = new ArrayList<>();
      // Enough hand-overs from worker threads that a race between the router's answer and the waiting thread shows.
      for (int i = 0; i < 400; i++) {
        String id = "inv-" + i;
        answers.add(workers.submit(() -> {
          FakeInvocation invocation = FakeHttpRequest.context(id);
          HttpResponseMessage response = functions.status(admin(HttpMethod.GET, "/api/cloudpcs/not-a-guid")
              .build(), invocation);
          assertThat(response.getStatusCode()).isEqualTo(400);
          return invocation.finish();
        }));
      }
      for (Future<FakeInvocation> answer : answers) {
        FakeInvocation invocation = answer.get();
        assertThat(invocation.lines()).singleElement().asString()
            .contains("inv=" + invocation.getInvocationId() + " ");
      }
    } finally {
      workers.shutdownNow();
    }
  }

  @Test
  void theDefinitionNamesTheFunctionAppsHostAndTheSchemeTheFrontEndReports() {
    JsonObject direct = definition(FakeHttpRequest.to(HttpMethod.GET, SITE + "/api/openapi.json"));
    JsonObject behindTls = definition(FakeHttpRequest.to(HttpMethod.GET, "http://cloudpc-fn.azurewebsites.net"
        + "/api/openapi.json").header("x-forwarded-proto", "https"));
    JsonObject listed = definition(FakeHttpRequest.to(HttpMethod.GET, "http://cloudpc-fn.azurewebsites.net"
        + "/api/openapi.json").header("x-forwarded-proto", "HTTPS, http"));
    JsonObject unknownProto = definition(FakeHttpRequest.to(HttpMethod.GET, SITE + "/api/openapi.json")
        .header("x-forwarded-proto", "javascript"));
    JsonObject forwardedHost = definition(FakeHttpRequest.to(HttpMethod.GET, SITE + "/api/openapi.json")
        .header("x-forwarded-host", "evil.example"));

    for (JsonObject served : List.of(direct, behindTls, listed, unknownProto, forwardedHost)) {
      assertThat(served.getString("host")).isEqualTo("cloudpc-fn.azurewebsites.net");
      assertThat(served.getJsonArray("schemes").getList()).containsExactly("https");
    }
  }

  private static JsonObject definition(FakeHttpRequest.Builder request) {
    HttpResponseMessage response = functions.apiDefinition(request.build(), FakeHttpRequest.context("inv-def"));
    assertThat(response.getStatusCode()).as(String.valueOf(response.getBody())).isEqualTo(200);
    return new JsonObject((String) response.getBody());
  }

  /** A request an admin's client sends; the host already checked its function key. */
  private static FakeHttpRequest.Builder admin(HttpMethod method, String pathAndQuery) {
    return FakeHttpRequest.to(method, SITE + pathAndQuery)
        .header("Authorization", "Bearer " + adminToken)
        .header("x-functions-key", "checked-by-the-host");
  }
}
