package dev.cloudpc.reprovision.graph;

import dev.cloudpc.reprovision.config.ManagedIdentity;
import dev.cloudpc.reprovision.config.UserAssignedIdentity;
import dev.cloudpc.reprovision.request.Problem;
import dev.cloudpc.reprovision.telemetry.Outbound;
import dev.cloudpc.reprovision.telemetry.Telemetry;
import dev.cloudpc.reprovision.telemetry.TraceContexts;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * App Service / Functions managed identity: {@code GET $IDENTITY_ENDPOINT?resource=…} with
 * {@code X-IDENTITY-HEADER}, for any resource (Graph, Azure Storage); {@code user} names a user-assigned identity.
 * Each token request is a client span of the request that needed it, whose {@code traceparent} it carries.
 */
public final class ManagedIdentityEndpoint {
  private final WebClient web;
  private final ManagedIdentity identity;
  private final String resource;
  private final Optional<UserAssignedIdentity> user;
  private final String userSetting;
  private final Duration timeout;
  private final Telemetry telemetry;

  /** @param userSetting the setting that would name a user-assigned identity, for the refusal's detail */
  public ManagedIdentityEndpoint(WebClient web, ManagedIdentity identity, String resource,
                                 Optional<UserAssignedIdentity> user, String userSetting, Duration timeout,
                                 Telemetry telemetry) {
    this.web = web;
    this.identity = identity;
    this.resource = resource;
    this.user = user;
    this.userSetting = userSetting;
    this.timeout = timeout;
    this.telemetry = telemetry;
  }

  public Future<AccessToken> token() {
    URI endpoint = identity.endpoint().orElseThrow();
    Outbound span = telemetry.outbound("GET managed identity token", TraceContexts.ambient(), "GET",
        endpoint.getHost()).url(endpoint.toString());
    HttpRequest<Buffer> request = web.getAbs(endpoint.toString())
        .timeout(timeout.toMillis())
        .addQueryParam("resource", resource)
        .addQueryParam("api-version", "2019-08-01")
        .putHeader("X-IDENTITY-HEADER", identity.header().orElseThrow().value());
    user.ifPresent(u -> request.addQueryParam(u.queryParameter(), u.value()));
    span.inject(request::putHeader);
    String resourceHost = URI.create(resource).getHost();
    return request.send()
        .onSuccess(response -> span.answered(response.statusCode()))
        .onFailure(span::failed)
        .recover(failure -> Future.failedFuture(unreachable(failure.getMessage())))
        .compose(this::token)
        .onComplete(fetched -> telemetry.metrics().tokenFetch("managed-identity", resourceHost, fetched.succeeded()));
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
