package dev.cloudpc.reprovision.graph;

import dev.cloudpc.reprovision.config.ManagedIdentity;
import dev.cloudpc.reprovision.request.Problem;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import java.time.Instant;

/**
 * App Service / Functions managed identity: {@code GET $IDENTITY_ENDPOINT?resource=…} with
 * {@code X-IDENTITY-HEADER}.
 */
final class ManagedIdentityEndpoint {
  private final WebClient web;
  private final ManagedIdentity identity;
  private final String resource;

  ManagedIdentityEndpoint(WebClient web, GraphTokenOptions options) {
    this.web = web;
    this.identity = options.managedIdentity();
    this.resource = options.graphResource().toString();
  }

  Future<AccessToken> token() {
    HttpRequest<Buffer> request = web.getAbs(identity.endpoint().orElseThrow().toString())
        .timeout(EntraTokenEndpoint.TIMEOUT_MS)
        .addQueryParam("resource", resource)
        .addQueryParam("api-version", "2019-08-01")
        .putHeader("X-IDENTITY-HEADER", identity.header().orElseThrow().value());
    identity.clientId().ifPresent(id -> request.addQueryParam("client_id", id));
    return request.send()
        .recover(failure -> Future.failedFuture(unreachable(failure.getMessage())))
        .compose(this::token);
  }

  private Future<AccessToken> token(HttpResponse<Buffer> response) {
    JsonObject body = IdentityAnswers.json(response);
    if (response.statusCode() == 200 && body != null && body.getString("access_token") != null) {
      long expiresOn = IdentityAnswers.seconds(body.getValue("expires_on"), Instant.now().getEpochSecond() + 3600);
      return Future.succeededFuture(new AccessToken(body.getString("access_token"), Instant.ofEpochSecond(expiresOn)));
    }
    if (response.statusCode() >= 500 || response.statusCode() == 429) {
      return Future.failedFuture(unreachable("HTTP " + response.statusCode()));
    }
    String message = body == null ? "" : IdentityAnswers.firstLine(String.valueOf(
        body.getValue("message", body.getValue("error_description", body.getValue("error", "")))));
    return Future.failedFuture(Problem.of(500, "managed-identity-refused", "Function misconfigured",
            "The managed identity endpoint refused a Graph token (HTTP " + response.statusCode() + ": " + message
                + "). Check that the function app has a managed identity and, for a user-assigned one, that "
                + "AZURE_MANAGED_IDENTITY_CLIENT_ID names it. Nothing was changed.")
        .exception());
  }

  private static RuntimeException unreachable(String why) {
    return Problem.unavailable("identity-provider-unavailable", "A Graph token could not be obtained from the "
        + "managed identity endpoint (" + why + "). Nothing was changed; try again shortly.", 5).exception();
  }
}
