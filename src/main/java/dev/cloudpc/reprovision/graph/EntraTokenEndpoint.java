package dev.cloudpc.reprovision.graph;

import dev.cloudpc.reprovision.config.Settings;
import dev.cloudpc.reprovision.http.Problem;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import java.time.Instant;
import java.util.Set;

/**
 * Entra's token endpoint ({@code {authority}/{tenant}/oauth2/v2.0/token}) for client credentials and on-behalf-of.
 * Written on WebClient rather than vertx-auth-oauth2 because that library reduces the endpoint's error to its
 * description text, and the product must tell a rejected secret ({@code invalid_client}: fix a setting) from an
 * outage (retry later) and from a user who has not consented ({@code invalid_grant}).
 */
final class EntraTokenEndpoint {
  static final long TIMEOUT_MS = 15_000;
  private static final Set<String> CREDENTIAL_ERRORS = Set.of("invalid_client", "unauthorized_client");

  private final WebClient web;
  private final Settings settings;

  EntraTokenEndpoint(WebClient web, Settings settings) {
    this.web = web;
    this.settings = settings;
  }

  Future<AccessToken> clientCredentials() {
    return request(form().add("grant_type", "client_credentials"));
  }

  Future<AccessToken> onBehalfOf(String assertion) {
    return request(form()
        .add("grant_type", "urn:ietf:params:oauth:grant-type:jwt-bearer")
        .add("requested_token_use", "on_behalf_of")
        .add("assertion", assertion));
  }

  private MultiMap form() {
    return MultiMap.caseInsensitiveMultiMap()
        .add("client_id", settings.clientId())
        .add("client_secret", settings.clientSecret().orElseThrow().value())
        .add("scope", settings.graphScope());
  }

  private Future<AccessToken> request(MultiMap form) {
    return web.postAbs(settings.tokenEndpoint().toString())
        .timeout(TIMEOUT_MS)
        .putHeader("Accept", "application/json")
        .sendForm(form)
        .recover(failure -> Future.failedFuture(unreachable(failure.getMessage()).exception()))
        .compose(this::token);
  }

  private Future<AccessToken> token(HttpResponse<Buffer> response) {
    JsonObject body = IdentityAnswers.json(response);
    if (response.statusCode() == 200 && body != null && body.getString("access_token") != null) {
      long expiresIn = IdentityAnswers.seconds(body.getValue("expires_in"), 3600);
      return Future.succeededFuture(new AccessToken(body.getString("access_token"),
          Instant.now().plusSeconds(expiresIn)));
    }
    String error = body == null ? null : body.getString("error");
    String description = body == null ? "" : IdentityAnswers.firstLine(body.getString("error_description", ""));
    if (error != null && CREDENTIAL_ERRORS.contains(error)) {
      return Future.failedFuture(Problem.of(500, "function-credential-rejected", "Function misconfigured",
              "The identity provider rejected the function's own credentials (" + error + ": " + description
                  + "). Fix AZURE_CLIENT_SECRET or AZURE_CLIENT_ID in the function's settings (tenant "
                  + settings.tenantId() + "). Nothing was changed.")
          .with("identityError", error).exception());
    }
    if ("invalid_grant".equals(error) || "interaction_required".equals(error) || "consent_required".equals(error)) {
      return Future.failedFuture(Problem.forbidden("on-behalf-of-refused", "Your token could not be exchanged for "
              + "a Graph token on your behalf (" + error + ": " + description + "). An admin may need to grant "
              + "consent for CloudPC.ReadWrite.All to this API, or you may need to sign in again.")
          .with("identityError", error).exception());
    }
    if (response.statusCode() >= 500 || response.statusCode() == 429 || error == null) {
      return Future.failedFuture(unreachable("HTTP " + response.statusCode()).exception());
    }
    return Future.failedFuture(Problem.of(500, "graph-token-refused", "Function misconfigured",
            "The identity provider refused a Graph token (" + error + ": " + description + "). Check "
                + "GRAPH_BASE_URL (scope " + settings.graphScope() + ") and the app registration.")
        .with("identityError", error).exception());
  }

  private Problem unreachable(String why) {
    return Problem.unavailable("identity-provider-unavailable", "A Graph token could not be obtained from "
        + settings.tokenEndpoint() + " (" + why + "). Nothing was changed; try again shortly.", 5);
  }
}
