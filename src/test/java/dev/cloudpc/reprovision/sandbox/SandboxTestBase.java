package dev.cloudpc.reprovision.sandbox;

import static dev.cloudpc.reprovision.support.Await.await;

import dev.cloudpc.reprovision.support.StrictVertxTest;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * One sandbox per test class on the strict Vert.x of {@link StrictVertxTest} (any blocked event loop fails the class).
 * Test threads wait with {@code Future.await} and poll with Vert.x timers; the event loops never wait.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 20, unit = TimeUnit.SECONDS)
abstract class SandboxTestBase extends StrictVertxTest {

  static final String USER_AGENT = "sandbox-tests/1.0";
  static final Duration REBUILD = Duration.ofMillis(200);

  WebClient http;
  SandboxTenant sandbox;
  /** A Graph token from the client-credentials grant (role CloudPC.ReadWrite.All). */
  String graphToken;

  SandboxOptions options() {
    return SandboxOptions.defaults().withRebuildTime(REBUILD);
  }

  @BeforeAll
  void startSandbox() {
    // No default User-Agent, so that tests control it; enough connections for the concurrency tests.
    http = WebClient.create(vertx, new WebClientOptions().setUserAgentEnabled(false),
        new PoolOptions().setHttp1MaxSize(1000));
    sandbox = await(SandboxTenant.start(vertx, options()));
    graphToken = clientCredentials().bodyAsJsonObject().getString("access_token");
    warmUpClient();
  }

  /**
   * The first form post, JSON post and GET make this JVM load much of Netty's and the WebClient's HTTP code on the
   * test client's event loop; on a busy machine that alone can exceed the limit. That is the test client, not the
   * sandbox, so it happens here once and any block it caused is forgotten.
   */
  private void warmUpClient() {
    String pc = SandboxSeed.ADELE_CLOUD_PCS.get(0);
    send(graph(HttpMethod.GET, "/beta/deviceManagement/virtualEndpoint/cloudPCs/" + pc));
    sendJson(graph(HttpMethod.POST, "/beta/deviceManagement/virtualEndpoint/cloudPCs/" + pc + "/reprovision"),
        new JsonObject().put("osVersion", "warm-up")); // invalid on purpose: 400, no rebuild
    send(http.getAbs(identityUrl("/" + sandbox.tenantId() + "/discovery/v2.0/keys")));
    sandbox.graph().reset();
    WATCH.forgetSoFar();
  }

  @BeforeEach
  void resetSandbox() {
    sandbox.graph().reset();
    sandbox.graph().acceptSandboxTokens();
    sandbox.graph().setLatency(options().latency());
    sandbox.graph().setRebuildTime(options().rebuildTime());
    sandbox.identity().clearTokenFailures();
    sandbox.identity().setTokenLifetime(SandboxIdentity.DEFAULT_TOKEN_LIFETIME);
  }


  @AfterAll
  void stopSandbox() {
    await(sandbox.close());
  }

  // ---- HTTP helpers ----

  HttpRequest<Buffer> graph(HttpMethod method, String pathAndQuery) {
    return graphAs(method, pathAndQuery, graphToken);
  }

  HttpRequest<Buffer> graphAs(HttpMethod method, String pathAndQuery, String token) {
    return http.requestAbs(method, sandbox.graphBaseUrl() + pathAndQuery)
        .putHeader("User-Agent", USER_AGENT)
        .putHeader("Authorization", "Bearer " + token);
  }

  HttpResponse<Buffer> send(HttpRequest<Buffer> request) {
    return await(request.send());
  }

  HttpResponse<Buffer> sendJson(HttpRequest<Buffer> request, JsonObject body) {
    return await(request.sendJsonObject(body));
  }

  HttpResponse<Buffer> getPc(String id) {
    return send(graph(HttpMethod.GET, "/beta/deviceManagement/virtualEndpoint/cloudPCs/" + id));
  }

  HttpResponse<Buffer> reprovision(String id) {
    return send(graph(HttpMethod.POST, "/beta/deviceManagement/virtualEndpoint/cloudPCs/" + id + "/reprovision"));
  }

  String identityUrl(String path) {
    return sandbox.identityBaseUrl() + path;
  }

  String tokenUrl() {
    return identityUrl("/" + sandbox.tenantId() + "/oauth2/v2.0/token");
  }

  HttpResponse<Buffer> tokenRequest(MultiMap form) {
    return await(http.postAbs(tokenUrl()).sendForm(form));
  }

  HttpResponse<Buffer> clientCredentials() {
    return tokenRequest(MultiMap.caseInsensitiveMultiMap()
        .add("grant_type", "client_credentials")
        .add("client_id", sandbox.clientId())
        .add("client_secret", sandbox.clientSecret())
        .add("scope", sandbox.graphBaseUrl() + "/.default"));
  }

  // ---- waiting without blocking event loops ----

  /** Polls on the test thread, pausing with a Vert.x timer between probes. */
  <T> T eventually(Supplier<T> probe, Predicate<T> done, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      T value = probe.get();
      if (done.test(value)) {
        return value;
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError("not reached within " + timeout + "; last value: " + value);
      }
      await(vertx.timer(25, TimeUnit.MILLISECONDS));
    }
  }

  static JsonObject claimsOf(String jwt) {
    String[] parts = jwt.split("\\.");
    return new JsonObject(new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8));
  }

  static JsonObject headerOf(String jwt) {
    String[] parts = jwt.split("\\.");
    return new JsonObject(new String(Base64.getUrlDecoder().decode(parts[0]), StandardCharsets.UTF_8));
  }

  static JsonObject graphError(HttpResponse<Buffer> response) {
    return response.bodyAsJsonObject().getJsonObject("error");
  }
}
