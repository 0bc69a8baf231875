package dev.cloudpc.reprovision.sandbox;

import io.vertx.core.MultiMap;
import io.vertx.core.json.JsonObject;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The grants of Entra's token endpoints and the managed identity endpoint, as pure request-to-reply functions.
 * Checks run in Entra's order as far as it is observable: grant type, client, secret, scope, then the grant itself.
 */
final class TokenEndpoint {

  static final String CLIENT_CREDENTIALS = "client_credentials";
  static final String JWT_BEARER = "urn:ietf:params:oauth:grant-type:jwt-bearer";
  /** OIDC scopes a client may add next to the resource scope. */
  private static final Set<String> OIDC_SCOPES = Set.of("openid", "profile", "offline_access", "email");

  private final SandboxIdentity identity;

  TokenEndpoint(SandboxIdentity identity) {
    this.identity = identity;
  }

  /**
   * @param authorization the Authorization header: client_secret_basic is accepted as Entra does
   * @param v1            the v1 endpoint names the resource in {@code resource} instead of {@code scope}
   */
  JsonReply token(MultiMap form, String authorization, boolean v1) {
    String grant = form.get("grant_type");
    String[] basic = basicCredentials(authorization);
    String clientId = form.get("client_id") != null ? form.get("client_id") : basic[0];
    String secret = form.get("client_secret") != null ? form.get("client_secret") : basic[1];
    if (blank(grant)) {
      return missing("grant_type");
    }
    if (!CLIENT_CREDENTIALS.equals(grant) && !JWT_BEARER.equals(grant)) {
      return EntraError.of(400, "unsupported_grant_type", 70003,
          "The app requested an unsupported grant type '" + grant + "'.");
    }
    if (blank(clientId)) {
      return missing("client_id");
    }
    if (!identity.clientId().equalsIgnoreCase(clientId)) {
      return EntraError.of(400, "unauthorized_client", 700016, "Application with identifier '" + clientId
          + "' was not found in the directory '" + identity.tenantId() + "'. This can happen if the application has"
          + " not been installed by the administrator of the tenant or consented to by any user in the tenant."
          + " You may have sent your authentication request to the wrong tenant.");
    }
    if (blank(secret)) {
      return EntraError.of(401, "invalid_client", 7000216,
          "'client_assertion', 'client_secret' or 'request' is required for the '" + grant + "' grant type.");
    }
    if (!identity.secretMatches(secret)) {
      return EntraError.of(401, "invalid_client", 7000215, "Invalid client secret provided. Ensure the secret"
          + " being sent in the request is the client secret value, not the client secret ID, for a secret added to"
          + " app '" + identity.clientId() + "'.");
    }
    JsonReply badResource = v1 ? checkResource(form.get("resource")) : checkScope(form.get("scope"));
    if (badResource != null) {
      return badResource;
    }
    return CLIENT_CREDENTIALS.equals(grant)
        ? issued(identity.graphAppToken(identity.clientId(), SandboxSeed.FUNCTION_SERVICE_PRINCIPAL_ID), v1)
        : onBehalfOf(form, v1);
  }

  private JsonReply onBehalfOf(MultiMap form, boolean v1) {
    if (!"on_behalf_of".equals(form.get("requested_token_use"))) {
      return missing("requested_token_use");
    }
    String assertion = form.get("assertion");
    if (blank(assertion)) {
      return missing("assertion");
    }
    SandboxIdentity.Verification verification = identity.verify(assertion);
    if (verification.claims().isEmpty()) {
      return verification.expired()
          ? EntraError.of(400, "invalid_grant", 500133, "Assertion is not within its valid time range.")
          : EntraError.of(400, "invalid_grant", 50013, "Assertion failed signature validation.");
    }
    JsonObject claims = verification.claims().get();
    Object audience = claims.getValue("aud");
    if (!identity.clientId().equals(audience) && !("api://" + identity.clientId()).equals(audience)) {
      return EntraError.of(400, "invalid_grant", 50013, "Assertion audience does not match the Client app"
          + " presenting the assertion. The audience in the assertion was '" + audience
          + "' and the expected audience is '" + identity.clientId() + "'.");
    }
    if (!identity.tenantId().equals(claims.getValue("tid"))) {
      return EntraError.of(400, "invalid_grant", 50013, "Assertion was issued for another tenant.");
    }
    if (!(claims.getValue("scp") instanceof String) || !(claims.getValue("oid") instanceof String)) {
      // Entra refuses to exchange app-only tokens: there is no user to act for.
      return EntraError.of(400, "invalid_grant", 50013, "Assertion is not a delegated user token.");
    }
    return issued(identity.graphUserToken(claims), v1);
  }

  /** App Service managed identity protocol (api-version 2019-08-01). */
  JsonReply managedIdentity(MultiMap params, String identityHeader) {
    if (identityHeader == null) {
      return EntraError.managedIdentity(400, "invalid_request", "Required header X-IDENTITY-HEADER is missing.");
    }
    if (!identity.identityHeader().equals(identityHeader)) {
      return EntraError.managedIdentity(401, "unauthorized_client", "The X-IDENTITY-HEADER value is not valid.");
    }
    if (!"2019-08-01".equals(params.get("api-version"))) {
      return EntraError.managedIdentity(400, "invalid_request", "api-version must be 2019-08-01.");
    }
    String resource = params.get("resource");
    boolean storage = !blank(resource) && sameResource(resource, SandboxIdentity.STORAGE_AUDIENCE);
    if (blank(resource) || !(isGraph(resource) || storage)) {
      return EntraError.managedIdentity(400, "invalid_resource", "Only the sandbox Graph ("
          + identity.graphAudience() + ") and Azure Storage can be requested, not '" + resource + "'.");
    }
    String clientId = params.get("client_id");
    if (clientId != null && !SandboxSeed.MANAGED_IDENTITY_CLIENT_ID.equalsIgnoreCase(clientId)) {
      return EntraError.managedIdentity(400, "invalid_request", "Identity not found");
    }
    String servicePrincipal = identity.servicePrincipalOf(SandboxSeed.MANAGED_IDENTITY_CLIENT_ID);
    String token = storage ? identity.storageAppToken(SandboxSeed.MANAGED_IDENTITY_CLIENT_ID, servicePrincipal)
        : identity.graphAppToken(SandboxSeed.MANAGED_IDENTITY_CLIENT_ID, servicePrincipal);
    long expiresOn = Instant.now().plus(identity.tokenLifetime()).getEpochSecond();
    return JsonReply.ok(new JsonObject()
        .put("access_token", token)
        .put("expires_on", Long.toString(expiresOn))
        .put("resource", resource)
        .put("token_type", "Bearer")
        .put("client_id", SandboxSeed.MANAGED_IDENTITY_CLIENT_ID));
  }

  private JsonReply issued(String token, boolean v1) {
    long seconds = identity.tokenLifetime().toSeconds();
    JsonObject body = new JsonObject()
        .put("token_type", "Bearer")
        .put("expires_in", seconds)
        .put("ext_expires_in", seconds)
        .put("access_token", token);
    if (v1) {
      long now = Instant.now().getEpochSecond();
      body.put("expires_on", Long.toString(now + seconds)).put("not_before", Long.toString(now))
          .put("resource", identity.graphAudience());
    }
    return JsonReply.ok(body);
  }

  private JsonReply checkScope(String scope) {
    if (blank(scope)) {
      return EntraError.of(400, "invalid_scope", 70011,
          "The provided request must include a 'scope' input parameter.");
    }
    List<String> resourceScopes = new ArrayList<>();
    for (String item : scope.trim().split("\\s+")) {
      if (!OIDC_SCOPES.contains(item.toLowerCase(Locale.ROOT))) {
        resourceScopes.add(item);
      }
    }
    boolean ok = resourceScopes.size() == 1 && resourceScopes.get(0).endsWith("/.default")
        && isGraph(resourceScopes.get(0).substring(0, resourceScopes.get(0).length() - "/.default".length()));
    return ok ? null : EntraError.of(400, "invalid_scope", 70011, "The provided value for the input parameter"
        + " 'scope' is not valid. The scope " + scope + " is not valid. Use " + identity.graphAudience()
        + "/.default for the sandbox Graph.");
  }

  private JsonReply checkResource(String resource) {
    return !blank(resource) && isGraph(resource) ? null : EntraError.of(400, "invalid_resource", 500011,
        "The resource principal named " + resource + " was not found in the tenant named "
            + identity.tenantId() + ".");
  }

  /** Graph's base URL, tolerating a trailing slash and case as Entra matches identifier URIs. */
  private boolean isGraph(String resource) {
    return sameResource(resource, identity.graphAudience());
  }

  private static boolean sameResource(String resource, String audience) {
    String normalized = resource.endsWith("/") ? resource.substring(0, resource.length() - 1) : resource;
    return normalized.equalsIgnoreCase(audience);
  }

  private static JsonReply missing(String parameter) {
    return EntraError.of(400, "invalid_request", 900144,
        "The request body must contain the following parameter: '" + parameter + "'.");
  }

  /** RFC 6749 2.3.1: id and secret are form-encoded, then joined and Base64 encoded. */
  private static String[] basicCredentials(String authorization) {
    if (authorization == null || !authorization.regionMatches(true, 0, "Basic ", 0, 6)) {
      return new String[2];
    }
    try {
      String decoded = new String(Base64.getDecoder().decode(authorization.substring(6).trim()),
          StandardCharsets.UTF_8);
      int colon = decoded.indexOf(':');
      if (colon < 0) {
        return new String[2];
      }
      return new String[] {URLDecoder.decode(decoded.substring(0, colon), StandardCharsets.UTF_8),
          URLDecoder.decode(decoded.substring(colon + 1), StandardCharsets.UTF_8)};
    } catch (IllegalArgumentException e) {
      return new String[2];
    }
  }

  private static boolean blank(String value) {
    return value == null || value.isBlank();
  }
}
