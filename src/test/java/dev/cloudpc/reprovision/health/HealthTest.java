package dev.cloudpc.reprovision.health;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cloudpc.reprovision.sandbox.SandboxTenant;
import dev.cloudpc.reprovision.support.StrictVertxTest;
import dev.cloudpc.reprovision.support.TestStack;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxTestContext;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * GET /api/health against the running app: anonymous, answered from the caches without calling Graph, a 503 problem
 * naming the failing part when the identity provider is unreachable or refuses the function, and never a secret.
 */
class HealthTest extends StrictVertxTest {

  private TestStack stack;

  @AfterEach
  void stop() {
    stack.close();
  }

  @Test
  void healthyWithoutAKeyFromCachesWithoutCallingGraph(VertxTestContext test) {
    stack = TestStack.start(vertx, Map.of());
    probe().compose(first -> probe().map(second -> List.of(first, second)))
        .onComplete(test.succeeding(both -> test.verify(() -> {
          for (HttpResponse<Buffer> response : both) {
            assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(200);
            assertThat(response.getHeader("Content-Type")).startsWith("application/json");
            assertThat(response.getHeader("Cache-Control")).isEqualTo("no-store");
            JsonObject body = response.bodyAsJsonObject();
            assertThat(body.getString("health")).isEqualTo("healthy");
            JsonObject checks = body.getJsonObject("checks");
            assertThat(checks.fieldNames()).containsExactlyInAnyOrder("settings", "signingKeys", "graphToken",
                "stateStore");
            checks.forEach(check -> assertThat(((JsonObject) check.getValue()).getString("status"))
                .as(check.getKey()).isEqualTo("ok"));
            assertThat(checks.getJsonObject("signingKeys").getString("detail"))
                .contains(stack.tenant.identityBaseUrl().toString());
            assertThat(body.getString("cloud")).isEqualTo("AzurePublicCloud");
            assertNoSecrets(response.bodyAsString());
          }
          assertThat(stack.tenant.graph().requests()).as("a probe never calls Graph").isEmpty();
          assertThat(stack.app.graphTokenRequests()).as("the second probe uses the cached token").isEqualTo(1);
          assertThat(stack.app.signingKeyFetches()).as("keys come from the start-up fetch").isEqualTo(1);
          test.completeNow();
        })));
  }

  @Test
  void unreachableIdentityProviderIsA503NamingBothParts(VertxTestContext test) {
    int closed = closedLoopbackPort();
    stack = TestStack.start(vertx, Map.of("AZURE_AUTHORITY_HOST", "http://127.0.0.1:" + closed));
    probe().onComplete(test.succeeding(response -> test.verify(() -> {
      assertUnhealthy(response, "signingKeys", "graphToken");
      JsonObject body = response.bodyAsJsonObject();
      assertThat(body.getJsonObject("checks").getJsonObject("signingKeys").getString("detail"))
          .contains("127.0.0.1:" + closed);
      assertThat(body.getJsonObject("checks").getJsonObject("graphToken").getString("detail"))
          .contains("127.0.0.1:" + closed);
      assertThat(body.getString("detail")).contains("AZURE_AUTHORITY_HOST");
      assertThat(stack.tenant.graph().requests()).isEmpty();
      test.completeNow();
    })));
  }

  @Test
  void refusedCredentialIsA503NamingOnlyTheGraphTokenAndHealsOnceFixed(VertxTestContext test) {
    // Refused before the app starts, so that its start-up token fetch meets the refusal too.
    SandboxTenant tenant = TestStack.startTenant(vertx);
    tenant.identity().failTokenRequests(401, new JsonObject().put("error", "invalid_client")
        .put("error_description", "AADSTS7000215: Invalid client secret provided.\nTrace ID: 1234"));
    stack = TestStack.start(vertx, tenant, Map.of());
    probe()
        .compose(refused -> {
          test.verify(() -> {
            assertUnhealthy(refused, "graphToken");
            String detail = refused.bodyAsJsonObject().getJsonObject("checks").getJsonObject("graphToken")
                .getString("detail");
            assertThat(detail).contains("invalid_client").contains("AZURE_CLIENT_SECRET")
                .doesNotContain("Trace ID");
          });
          stack.tenant.identity().clearTokenFailures();
          // A failed token fetch is remembered for a second so that an outage is not hammered; wait it out.
          return vertx.timer(1_100).compose(v -> probe());
        })
        .onComplete(test.succeeding(healed -> test.verify(() -> {
          assertThat(healed.statusCode()).as(healed.bodyAsString()).isEqualTo(200);
          assertThat(stack.tenant.graph().requests()).isEmpty();
          test.completeNow();
        })));
  }

  @Test
  void usGovernmentCloudShowsItsGraphHostWithoutReachingIt(VertxTestContext test) {
    String authority = "http://127.0.0.1:" + closedLoopbackPort();
    Map<String, String> overrides = new HashMap<>();
    overrides.put("AZURE_CLOUD", "AzureUSGovernment");
    overrides.put("AZURE_AUTHORITY_HOST", authority); // explicit settings still win over the cloud's
    overrides.put("GRAPH_BASE_URL", null); // the cloud's Graph host, not the sandbox's
    stack = TestStack.start(vertx, overrides);
    probe().onComplete(test.succeeding(response -> test.verify(() -> {
      assertUnhealthy(response, "signingKeys", "graphToken");
      JsonObject body = response.bodyAsJsonObject();
      assertThat(body.getString("cloud")).isEqualTo("AzureUSGovernment");
      assertThat(body.getString("graphBaseUrl")).isEqualTo("https://graph.microsoft.us");
      assertThat(body.getString("authorityHost")).isEqualTo(authority);
      test.completeNow();
    })));
  }

  private Future<HttpResponse<Buffer>> probe() {
    return stack.client.get("/api/health").send(); // no function key, no token: the route is anonymous
  }

  private void assertUnhealthy(HttpResponse<Buffer> response, String... failing) {
    assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(503);
    assertThat(response.getHeader("Content-Type")).startsWith("application/problem+json");
    assertThat(response.getHeader("Retry-After")).isEqualTo("10");
    assertThat(response.getHeader("Cache-Control")).isEqualTo("no-store");
    JsonObject body = response.bodyAsJsonObject();
    assertThat(body.getString("type")).isEqualTo("urn:cloudpc-reprovision:problem:unhealthy");
    assertThat(body.getInteger("status")).isEqualTo(503);
    assertThat(body.getString("health")).isEqualTo("unhealthy");
    assertThat(body.getString("clientRequestId")).isNotBlank();
    JsonObject checks = body.getJsonObject("checks");
    assertThat(checks.getJsonObject("settings").getString("status")).isEqualTo("ok");
    for (String part : checks.fieldNames()) {
      boolean fails = List.of(failing).contains(part);
      assertThat(checks.getJsonObject(part).getString("status")).as(part).isEqualTo(fails ? "failing" : "ok");
      if (fails) {
        assertThat(body.getString("detail")).contains(part);
      }
    }
    assertNoSecrets(response.bodyAsString());
  }

  private void assertNoSecrets(String body) {
    assertThat(body).doesNotContain(stack.tenant.clientSecret()).doesNotContain(stack.tenant.functionKey());
  }

  /** A loopback port nothing listens on: connections are refused at once. */
  private static int closedLoopbackPort() {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
