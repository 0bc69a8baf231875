package dev.cloudpc.reprovision.graph;

import dev.cloudpc.reprovision.config.ManagedIdentity;
import dev.cloudpc.reprovision.config.UserAssignedIdentity;
import dev.cloudpc.reprovision.request.Problem;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * App Service / Functions managed identity: {@code GET $IDENTITY_ENDPOINT?resource=…} with
 * {@code X-IDENTITY-HEADER}, for any resource (Graph, Azure Storage); {@code user} names a user-assigned identity.
 */
public final class ManagedIdentityEndpoint {
  private final WebClient web;
  private final ManagedIdentity identity;
  private final String resource;
  private final Optional<UserAssignedIdentity> user;
  private final String userSetting;
  private final Duration timeout;

  /** @param userSetting the setting that would name a user-assigned identity, for the refusal's detail */
  public ManagedIdentityEndpoint(WebClient web, ManagedIdentity identity, String resource,
                                 Optional<UserAssignedIdentity> user, String userSetting, Duration timeout) {
    this.web = web;
    this.identity = identity;
    this.resource = resource;
    this.user = user;
    this.userSetting = userSetting;
    this.timeout = timeout;
  }

  public Future<AccessToken> token() {
    HttpRequest<Buffer> request = web.getAbs(identity.endpoint().orElseThrow().toString())
        .timeout(timeout.toMillis())
        .addQueryParam("resource", resource)
        .addQueryParam("api-version", "2019-08-01")
        .putHeader("X-IDENTITY-HEADER", identity.header().orElseThrow().value());
    user.ifPresent(u -> request.addQueryParam(u.queryParameter(), u.value()));
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
            "The managed identity endpoint refused a token for " + resource + " (HTTP " + response.statusCode() + ": " + message
                + "). Check that the function app has a managed identity and, for a user-assigned one, that "
                + user.map(UserAssignedIdentity::setting).orElse(userSetting) + " names it. Nothing was changed.")
        .exception());
  }

  private RuntimeException unreachable(String why) {
    return Problem.unavailable("identity-provider-unavailable", "A token for " + resource + " could not be obtained "
        + "from the managed identity endpoint (" + why + "). Nothing was changed; try again shortly.", 5).exception();
  }
}
