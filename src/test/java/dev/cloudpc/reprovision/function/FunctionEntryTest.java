package dev.cloudpc.reprovision.function;

import static org.assertj.core.api.Assertions.assertThat;

import com.microsoft.azure.functions.HttpMethod;
import com.microsoft.azure.functions.HttpResponseMessage;
import dev.cloudpc.reprovision.config.Settings;
import dev.cloudpc.reprovision.sandbox.SandboxOptions;
import dev.cloudpc.reprovision.sandbox.SandboxSeed;
import dev.cloudpc.reprovision.sandbox.SandboxTenant;
import dev.cloudpc.reprovision.support.FakeHttpRequest;
import dev.cloudpc.reprovision.support.StrictVertxTest;
import dev.cloudpc.reprovision.support.TestStack;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Through the Azure Functions entry point as the Java worker calls it: a request message on a worker thread, handed
 * to the router over loopback, answered with the router's status, headers and body.
 */
class FunctionEntryTest extends StrictVertxTest {
  private static final String PC = SandboxSeed.MEGAN_CLOUD_PCS.get(1);

  private static SandboxTenant tenant;
  private static ReprovisionFunctions functions;

  @BeforeAll
  static void start() {
    tenant = TestStack.await(SandboxTenant.start(vertx, SandboxOptions.defaults()));
    Map<String, String> env = new HashMap<>(tenant.environment());
    env.remove("FUNCTION_KEY"); // under Azure the host checks keys, not the router
    env.put("REQUEST_DEADLINE_SECONDS", "10"); // a lost answer shows as a 504 in seconds, not minutes
    RouterHandover handover = RouterHandover.start(vertx, Settings.fromEnvironment(env));
    functions = new ReprovisionFunctions(handover::forward);
  }

  @AfterAll
  static void stop() {
  }

  @BeforeEach
  void reset() {
    tenant.graph().reset();
  }

  @Test
  void adminReprovisionThroughTheFunctionAnswers202AndPostsOnce() {
    HttpResponseMessage response = functions.reprovision(request(HttpMethod.POST,
        "/api/cloudpcs/" + PC + "/reprovision", Map.of("authorization", "Bearer " + adminToken(),
            "content-type", "application/json"), "{\"osVersion\":\"windows11\"}"),
        FakeHttpRequest.context("inv-1"));

    assertThat(response.getStatusCode()).as(String.valueOf(response.getBody())).isEqualTo(202);
    JsonObject body = new JsonObject((String) response.getBody());
    assertThat(body.getString("cloudPcId")).isEqualTo(PC);
    assertThat(body.getString("graphRequestId")).isNotBlank();
    assertThat(response.getHeader("request-id")).isEqualTo(body.getString("graphRequestId"));
    assertThat(response.getHeader("client-request-id")).isNotBlank();
    assertThat(response.getHeader("Location"))
        .startsWith("https://cloudpc-fn.azurewebsites.net/api/cloudpcs/" + PC + "/operations/");
    assertThat(response.getHeader("content-length")).isNull();
    assertThat(tenant.graph().count("POST", ".*/cloudPCs/" + PC + "/reprovision")).isEqualTo(1);
  }

  @Test
  void problemsPassThroughWithTheirMediaType() {
    HttpResponseMessage response = functions.reprovision(request(HttpMethod.POST,
        "/api/cloudpcs/not-a-guid/reprovision", Map.of("authorization", "Bearer " + adminToken()), null),
        FakeHttpRequest.context("inv-2"));

    assertThat(response.getStatusCode()).isEqualTo(400);
    assertThat(response.getHeader("Content-Type")).isEqualTo("application/problem+json");
    assertThat(new JsonObject((String) response.getBody()).getString("detail")).contains("cloudPcId");
    assertThat(tenant.graph().requests()).isEmpty();
  }

  @Test
  void concurrentInvocationsOnWorkerThreadsAreAllAnswered() throws Exception {
    ExecutorService workers = Executors.newFixedThreadPool(8);
    try {
      List<Future<HttpResponseMessage>> answers = new java.util.ArrayList<>();
      // Enough hand-overs from worker threads that a race between the router's answer and the waiting thread shows.
      for (int i = 0; i < 400; i++) {
        String id = "inv-" + i;
        answers.add(workers.submit(() -> functions.status(request(HttpMethod.GET, "/api/cloudpcs/" + PC,
            Map.of("authorization", "Bearer " + adminToken()), null), FakeHttpRequest.context(id))));
      }
      for (Future<HttpResponseMessage> answer : answers) {
        assertThat(answer.get().getStatusCode()).isEqualTo(200);
      }
    } finally {
      workers.shutdownNow();
    }
  }

  private static String adminToken() {
    return tenant.identity().mintApplicationToken(SandboxSeed.ADMIN_CALLER_APP_ID,
        List.of(SandboxTenant.ADMIN_ROLE), dev.cloudpc.reprovision.sandbox.TokenVersion.V1,
        java.time.Duration.ofMinutes(30));
  }

  private static FakeHttpRequest request(HttpMethod method, String path, Map<String, String> headers, String body) {
    Map<String, String> all = new HashMap<>(headers);
    all.put("host", "cloudpc-fn.azurewebsites.net");
    all.put("x-functions-key", "checked-by-the-host");
    return new FakeHttpRequest(method, URI.create("https://cloudpc-fn.azurewebsites.net" + path), all,
        Optional.ofNullable(body));
  }
}
