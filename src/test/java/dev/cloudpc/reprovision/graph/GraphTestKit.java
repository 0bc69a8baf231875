package dev.cloudpc.reprovision.graph;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cloudpc.reprovision.sandbox.RecordedRequest;
import dev.cloudpc.reprovision.sandbox.SandboxIdentity;
import dev.cloudpc.reprovision.sandbox.SandboxOptions;
import dev.cloudpc.reprovision.sandbox.SandboxTenant;
import dev.cloudpc.reprovision.support.Await;
import dev.cloudpc.reprovision.support.TestStack;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/** What the Graph-access tests share: starting a stack on chosen sandbox options, reading answers and tokens. */
final class GraphTestKit {
  /**
   * Graph calls the admin route sends with one token before its POST: the Cloud PC (with its last remote action).
   * So up to this many calls of one request meet a token Graph has just refused.
   */
  static final int ADMIN_READS = 1;

  private GraphTestKit() {
  }

  static TestStack start(Vertx vertx, SandboxOptions options, Map<String, String> overrides) {
    SandboxTenant tenant = Await.await(SandboxTenant.start(vertx, options));
    return TestStack.start(vertx, tenant, overrides);
  }

  static TestStack start(Vertx vertx, Map<String, String> overrides) {
    return start(vertx, TestStack.options(), overrides);
  }

  /**
   * A client with one connection per concurrent request: TestStack's client has Vert.x's default pool of a handful
   * of connections, which would queue "concurrent" requests and hide what the app does with real concurrency.
   */
  static WebClient wideClient(TestStack stack, int connections) {
    return WebClient.create(stack.vertx, new WebClientOptions().setDefaultHost("127.0.0.1")
        .setDefaultPort(stack.app.port()).setKeepAlive(true), new PoolOptions().setHttp1MaxSize(connections));
  }

  static HttpRequest<Buffer> post(WebClient client, TestStack stack, String path, String bearer) {
    return client.post(path).putHeader("x-functions-key", stack.tenant.functionKey())
        .putHeader("Authorization", "Bearer " + bearer);
  }

  static String adminRoute(String cloudPcId) {
    return "/api/cloudpcs/" + cloudPcId + "/reprovision";
  }

  /** Regex for Graph's admin reprovision of one Cloud PC, for fault rules and request counts. */
  static String graphReprovision(String cloudPcId) {
    return ".*/cloudPCs/" + cloudPcId + "/reprovision";
  }

  static List<RecordedRequest> reprovisionPosts(TestStack stack, String cloudPcId) {
    return stack.tenant.graph().requests().stream()
        .filter(r -> r.method().equals("POST") && r.path().matches(graphReprovision(cloudPcId))).toList();
  }

  /** Asserts an RFC 9457 answer of this status and type and returns its body. */
  static JsonObject problem(HttpResponse<Buffer> response, int status, String slug) {
    assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(status);
    assertThat(response.getHeader("Content-Type")).isEqualTo("application/problem+json");
    JsonObject body = response.bodyAsJsonObject();
    assertThat(body.getString("type")).endsWith(":" + slug);
    assertThat(body.getInteger("status")).isEqualTo(status);
    assertThat(body.getString("detail")).isNotBlank();
    return body;
  }

  /** The claims of the bearer token a request carried (the fake Graph's tokens are JWTs). */
  static JsonObject bearerClaims(RecordedRequest request) {
    String token = bearer(request);
    String payload = token.split("\\.")[1];
    return new JsonObject(new String(Base64.getUrlDecoder().decode(payload), StandardCharsets.UTF_8));
  }

  static String bearer(RecordedRequest request) {
    String authorization = request.header("authorization");
    assertThat(authorization).startsWith("Bearer ");
    return authorization.substring("Bearer ".length()).trim();
  }

  /** The Graph call carried a token exchanged for this user: not the caller's own token, not an app-only one. */
  static void assertDelegatedFor(RecordedRequest graphCall, String callerToken, String userId) {
    assertThat(bearer(graphCall)).isNotEqualTo(callerToken);
    JsonObject claims = bearerClaims(graphCall);
    assertThat(claims.getString("oid")).isEqualTo(userId);
    assertThat(claims.getString("scp")).contains(SandboxIdentity.GRAPH_PERMISSION);
    assertThat(claims.containsKey("roles")).as("app-only tokens carry roles").isFalse();
  }

  static long elapsedMillis(long startNanos) {
    return (System.nanoTime() - startNanos) / 1_000_000;
  }
}
