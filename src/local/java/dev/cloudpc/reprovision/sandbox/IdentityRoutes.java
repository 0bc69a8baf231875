package dev.cloudpc.reprovision.sandbox;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.util.function.Function;

/** Entra's URL layout under the authority host, wired to {@link SandboxIdentity} and {@link TokenEndpoint}. */
final class IdentityRoutes {

  private final SandboxIdentity identity;
  private final TokenEndpoint tokens;

  private IdentityRoutes(SandboxIdentity identity, TokenEndpoint tokens) {
    this.identity = identity;
    this.tokens = tokens;
  }

  static Router create(Vertx vertx, SandboxIdentity identity, TokenEndpoint tokens) {
    IdentityRoutes routes = new IdentityRoutes(identity, tokens);
    Router router = Router.router(vertx);
    router.get("/:tenant/v2.0/.well-known/openid-configuration").handler(routes.forTenant(t -> routes.discoveryV2()));
    router.get("/:tenant/.well-known/openid-configuration").handler(routes.forTenant(t -> routes.discoveryV1()));
    router.get("/:tenant/discovery/v2.0/keys").handler(routes.forTenant(t -> JsonReply.ok(identity.jwks())));
    router.get("/:tenant/discovery/keys").handler(routes.forTenant(t -> JsonReply.ok(identity.jwks())));
    router.post("/:tenant/oauth2/v2.0/token").handler(BodyHandler.create().setBodyLimit(64 * 1024))
        .handler(ctx -> routes.token(ctx, false));
    router.post("/:tenant/oauth2/token").handler(BodyHandler.create().setBodyLimit(64 * 1024))
        .handler(ctx -> routes.token(ctx, true));
    router.get("/msi/token").handler(routes::managedIdentity);
    return router;
  }

  private io.vertx.core.Handler<RoutingContext> forTenant(Function<String, JsonReply> answer) {
    return ctx -> {
      String tenant = ctx.pathParam("tenant");
      write(ctx, knownTenant(tenant) ? answer.apply(tenant) : unknownTenant(tenant));
    };
  }

  private void token(RoutingContext ctx, boolean v1) {
    String tenant = ctx.pathParam("tenant");
    String traceparent = ctx.request().getHeader("traceparent");
    JsonReply reply = identity.countTokenRequest(traceparent).orElseGet(() -> knownTenant(tenant)
        ? tokens.token(ctx.request().formAttributes(), ctx.request().getHeader("Authorization"), v1)
        : unknownTenant(tenant));
    write(ctx, reply);
  }

  private void managedIdentity(RoutingContext ctx) {
    String traceparent = ctx.request().getHeader("traceparent");
    JsonReply reply = identity.countTokenRequest(traceparent).orElseGet(() ->
        tokens.managedIdentity(ctx.request().params(), ctx.request().getHeader("X-IDENTITY-HEADER")));
    write(ctx, reply);
  }

  private JsonReply discoveryV2() {
    String base = identity.baseUrl() + "/" + identity.tenantId();
    return JsonReply.ok(common()
        .put("issuer", identity.issuer(TokenVersion.V2))
        .put("authorization_endpoint", base + "/oauth2/v2.0/authorize")
        .put("token_endpoint", base + "/oauth2/v2.0/token")
        .put("jwks_uri", base + "/discovery/v2.0/keys")
        .put("end_session_endpoint", base + "/oauth2/v2.0/logout")
        .put("scopes_supported", new JsonArray().add("openid").add("profile").add("email").add("offline_access")));
  }

  private JsonReply discoveryV1() {
    String base = identity.baseUrl() + "/" + identity.tenantId();
    return JsonReply.ok(common()
        .put("issuer", identity.issuer(TokenVersion.V1))
        .put("authorization_endpoint", base + "/oauth2/authorize")
        .put("token_endpoint", base + "/oauth2/token")
        .put("jwks_uri", base + "/discovery/keys")
        .put("end_session_endpoint", base + "/oauth2/logout"));
  }

  private JsonObject common() {
    return new JsonObject()
        .put("token_endpoint_auth_methods_supported",
            new JsonArray().add("client_secret_post").add("private_key_jwt").add("client_secret_basic"))
        .put("response_types_supported", new JsonArray().add("code").add("id_token").add("code id_token"))
        .put("subject_types_supported", new JsonArray().add("pairwise"))
        .put("id_token_signing_alg_values_supported", new JsonArray().add("RS256"))
        .put("tenant_region_scope", "EU")
        .put("cloud_instance_name", "contoso.sandbox")
        .put("claims_supported", new JsonArray().add("sub").add("iss").add("aud").add("exp").add("iat")
            .add("oid").add("tid").add("name").add("preferred_username").add("upn"));
  }

  private boolean knownTenant(String tenant) {
    return identity.tenantId().equalsIgnoreCase(tenant);
  }

  private static JsonReply unknownTenant(String tenant) {
    return EntraError.of(400, "invalid_tenant", 90002, "Tenant '" + tenant + "' not found. Check to make sure"
        + " you have the correct tenant ID and are signing into the correct cloud.");
  }

  private static void write(RoutingContext ctx, JsonReply reply) {
    ctx.response()
        .setStatusCode(reply.status())
        .putHeader("Content-Type", "application/json; charset=utf-8")
        .putHeader("Cache-Control", "no-store, no-cache")
        .end(reply.body().encode());
  }
}
