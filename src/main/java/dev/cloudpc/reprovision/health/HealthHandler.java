package dev.cloudpc.reprovision.health;

import dev.cloudpc.reprovision.auth.SigningKeys;
import dev.cloudpc.reprovision.config.Settings;
import dev.cloudpc.reprovision.graph.GraphTokens;
import dev.cloudpc.reprovision.http.Responses;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/**
 * GET /api/health (anonymous): settings loaded, the tenant's signing keys fetched, a Graph token obtainable — from
 * the caches, so a probe never calls Graph and at most refreshes what a request would have fetched anyway. 200 or
 * 503 naming the failing part; never a secret.
 */
public final class HealthHandler implements Handler<RoutingContext> {
  private static final long CHECK_TIMEOUT_MS = 5_000;

  private final Settings settings;
  private final SigningKeys keys;
  private final GraphTokens tokens;

  public HealthHandler(Settings settings, SigningKeys keys, GraphTokens tokens) {
    this.settings = settings;
    this.keys = keys;
    this.tokens = tokens;
  }

  @Override
  public void handle(RoutingContext ctx) {
    Future<Void> keyCheck = keys.hasKeys() ? Future.succeededFuture() : keys.refresh().mapEmpty();
    Future<Void> tokenCheck = tokens.appOnly().mapEmpty();
    Future.join(keyCheck.timeout(CHECK_TIMEOUT_MS, java.util.concurrent.TimeUnit.MILLISECONDS),
            tokenCheck.timeout(CHECK_TIMEOUT_MS, java.util.concurrent.TimeUnit.MILLISECONDS))
        .onComplete(ignored -> {
          JsonObject signingKeys = check(keyCheck, "fetched from " + settings.openIdConfigurationUri(),
              keys.lastFailure());
          JsonObject graphToken = check(tokenCheck, "obtainable with " + settings.graphCredential().settingValue(),
              null);
          boolean healthy = keyCheck.succeeded() && tokenCheck.succeeded();
          JsonObject body = new JsonObject()
              .put("status", healthy ? "healthy" : "unhealthy")
              .put("checks", new JsonObject()
                  .put("settings", new JsonObject().put("status", "ok"))
                  .put("signingKeys", signingKeys)
                  .put("graphToken", graphToken))
              .put("cloud", settings.cloud().settingValue())
              .put("tenantId", settings.tenantId())
              .put("authorityHost", settings.authorityHost().toString())
              .put("graphBaseUrl", settings.graphBaseUrl().toString())
              .put("graphApiVersion", settings.graphApiVersion())
              .put("graphCredential", settings.graphCredential().settingValue());
          if (!healthy) {
            ctx.response().putHeader("Retry-After", "10");
          }
          Responses.json(ctx, healthy ? 200 : 503, body);
        });
  }

  private static JsonObject check(Future<Void> outcome, String okDetail, String knownFailure) {
    if (outcome.succeeded()) {
      return new JsonObject().put("status", "ok").put("detail", okDetail);
    }
    String cause = knownFailure != null ? knownFailure : outcome.cause() == null ? "timed out"
        : outcome.cause().getMessage();
    return new JsonObject().put("status", "failing").put("detail", cause);
  }
}
