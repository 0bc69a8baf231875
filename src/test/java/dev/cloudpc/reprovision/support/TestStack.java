package dev.cloudpc.reprovision.support;

import static dev.cloudpc.reprovision.support.Await.await;

import dev.cloudpc.reprovision.ReprovisionApp;
import dev.cloudpc.reprovision.config.Settings;
import dev.cloudpc.reprovision.sandbox.GraphLimits;
import dev.cloudpc.reprovision.sandbox.SandboxOptions;
import dev.cloudpc.reprovision.sandbox.SandboxSeed;
import dev.cloudpc.reprovision.sandbox.SandboxTenant;
import dev.cloudpc.reprovision.sandbox.SandboxUser;
import dev.cloudpc.reprovision.sandbox.TokenVersion;
import io.opentelemetry.api.OpenTelemetry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The product as it runs, for tests: the sandbox tenant (identity + fake Graph) and the app listening on loopback,
 * with a WebClient to call it as a flow would.
 */
public final class TestStack {
  public static final Duration REBUILD = Duration.ofMillis(400);

  public final Vertx vertx;
  public final SandboxTenant tenant;
  public final ReprovisionApp app;
  public final WebClient client;

  private TestStack(Vertx vertx, SandboxTenant tenant, ReprovisionApp app) {
    this.vertx = vertx;
    this.tenant = tenant;
    this.app = app;
    this.client = WebClient.create(vertx, new WebClientOptions().setDefaultHost("127.0.0.1")
        .setDefaultPort(app.port()).setKeepAlive(true));
  }

  public static TestStack start(Vertx vertx, Map<String, String> overrides) {
    return start(vertx, startTenant(vertx), overrides);
  }

  /**
   * The sandbox tenant alone, for tests that set it up before the app starts: the app fetches its keys and Graph token
   * at start-up, so a fault meant for those fetches is injected first.
   */
  public static SandboxTenant startTenant(Vertx vertx) {
    return await(SandboxTenant.start(vertx, options()));
  }

  /**
   * The sandbox as tests use it: fast rebuilds, and Graph limits far above Microsoft's so that only the tests about
   * the budget (which ask for the documented ones) are paced.
   */
  public static SandboxOptions options() {
    return SandboxOptions.defaults().withRebuildTime(REBUILD).withGraphLimits(GraphLimits.generous());
  }

  public static TestStack start(Vertx vertx, SandboxTenant tenant, Map<String, String> overrides) {
    return start(vertx, tenant, overrides, OpenTelemetry.noop());
  }

  /** The product recording its spans and metrics through {@code openTelemetry} (an SDK with in-memory exporters). */
  public static TestStack start(Vertx vertx, SandboxTenant tenant, Map<String, String> overrides,
                                OpenTelemetry openTelemetry) {
    Map<String, String> env = new HashMap<>(tenant.environment());
    env.put("AUTH_JWKS_MIN_REFRESH_SECONDS", "0");
    env.putAll(overrides);
    env.values().removeIf(v -> v == null);
    Settings settings = Settings.fromEnvironment(env);
    ReprovisionApp app = await(ReprovisionApp.start(vertx, settings, new ReprovisionApp.Listen("127.0.0.1", 0,
        java.util.Optional.empty(), 2), openTelemetry));
    return new TestStack(vertx, tenant, app);
  }

  public void close() {
    await(app.close().compose(v -> tenant.close()));
  }

  public String adminToken() {
    return tenant.identity().mintApplicationToken(SandboxSeed.ADMIN_CALLER_APP_ID,
        List.of(SandboxTenant.ADMIN_ROLE), TokenVersion.V2, Duration.ofHours(1));
  }

  public String userToken(SandboxUser user) {
    return tenant.identity().mintUserToken(user, List.of(SandboxTenant.SELF_SCOPE), List.of(), TokenVersion.V2,
        Duration.ofHours(1));
  }

  /** A request with the function key and, if given, a bearer token. */
  public HttpRequest<Buffer> request(HttpMethod method, String path, String bearer) {
    HttpRequest<Buffer> request = client.request(method, path).putHeader("x-functions-key", tenant.functionKey());
    if (bearer != null) {
      request.putHeader("Authorization", "Bearer " + bearer);
    }
    return request;
  }

  public Future<HttpResponse<Buffer>> post(String path, String bearer) {
    return request(HttpMethod.POST, path, bearer).send();
  }

  public Future<HttpResponse<Buffer>> postJson(String path, String bearer, String json) {
    return request(HttpMethod.POST, path, bearer).putHeader("Content-Type", "application/json")
        .sendBuffer(Buffer.buffer(json));
  }

  public Future<HttpResponse<Buffer>> get(String path, String bearer) {
    return request(HttpMethod.GET, path, bearer).send();
  }

  public long reprovisionPosts() {
    return tenant.graph().count("POST", ".*/reprovision$");
  }

}
