package dev.cloudpc.reprovision.graph;

import dev.cloudpc.reprovision.config.Secret;
import dev.cloudpc.reprovision.config.UserAgent;
import dev.cloudpc.reprovision.request.Problem;
import dev.cloudpc.reprovision.telemetry.Outbound;
import dev.cloudpc.reprovision.telemetry.Telemetry;
import dev.cloudpc.reprovision.telemetry.TraceContexts;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.User;
import io.vertx.ext.auth.oauth2.OAuth2Auth;
import io.vertx.ext.auth.oauth2.OAuth2FlowType;
import io.vertx.ext.auth.oauth2.OAuth2Options;
import io.vertx.ext.auth.oauth2.Oauth2Credentials;
import java.net.URI;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Entra's token endpoint ({@code {authority}/{tenant}/oauth2/v2.0/token}) through vertx-auth-oauth2: client
 * credentials ({@code OAuth2FlowType.CLIENT}) and on-behalf-of ({@code OAuth2FlowType.AAD_OBO}). A refusal still
 * names the setting to fix. Microsoft identity platform docs: "Error codes" (AADSTS codes inside
 * {@code error_description}) and "OAuth 2.0 client credentials flow" / "on-behalf-of flow". Each token request is a
 * client span of the request that needed it, whose {@code traceparent} it carries.
 */
final class EntraTokenEndpoint {
  static final long TIMEOUT_MS = 15_000;
  /** OAuth2API keeps a refusal only as "{error}: {error_description}" — the HTTP status is lost. */
  private static final Pattern OAUTH_ERROR = Pattern.compile("([a-z_]+): (.*)", Pattern.DOTALL);
  private static final Pattern AADSTS = Pattern.compile("AADSTS(\\d+)");
  private static final Set<String> OUTAGE = Set.of("temporarily_unavailable", "server_error");
  private static final Set<String> USER_REFUSED = Set.of("invalid_grant", "interaction_required", "consent_required");

  private final OAuth2Auth entra;
  private final GraphTokenOptions options;
  private final Telemetry telemetry;
  private final String resource;
  /**
   * The provider's own extra headers: vertx-auth-oauth2 keeps this very object and reads it into every request it
   * builds, synchronously inside {@code authenticate} (OAuth2AuthProviderImpl keeps the options; OAuth2API.fetch
   * copies {@code config.getHeaders()} into the request) — the one way to give its token request a traceparent.
   */
  private final JsonObject headers = new JsonObject();

  EntraTokenEndpoint(Vertx vertx, GraphTokenOptions options, Telemetry telemetry) {
    this.options = options;
    this.telemetry = telemetry;
    this.resource = URI.create(options.graphScope()).getHost();
    this.entra = OAuth2Auth.create(vertx, new OAuth2Options()
        .setClientId(options.clientId())
        .setClientSecret(options.clientSecret().map(Secret::value).orElse(null))
        .setUseBasicAuthorization(false) // Entra documents client_id and client_secret as form fields
        .setTokenPath(options.tokenEndpoint().toString())
        .setUserAgent(UserAgent.VALUE)
        .setHeaders(headers)
        .setHttpClientOptions(new HttpClientOptions().setConnectTimeout((int) TIMEOUT_MS)
            .setIdleTimeout((int) TIMEOUT_MS).setIdleTimeoutUnit(TimeUnit.MILLISECONDS)));
  }

  Future<AccessToken> clientCredentials() {
    return request(new Oauth2Credentials().setFlow(OAuth2FlowType.CLIENT), "client-secret");
  }

  Future<AccessToken> onBehalfOf(String assertion) {
    return request(new Oauth2Credentials().setFlow(OAuth2FlowType.AAD_OBO).setAssertion(assertion), "on-behalf-of");
  }

  private Future<AccessToken> request(Oauth2Credentials credentials, String credential) {
    Outbound span = telemetry.outbound("POST token", TraceContexts.ambient(), "POST",
        options.tokenEndpoint().getHost()).url(options.tokenEndpoint().toString());
    Future<User> user;
    synchronized (headers) {
      span.inject(headers::put);
      try {
        user = entra.authenticate(credentials.setScopes(List.of(options.graphScope())));
      } finally {
        headers.clear();
      }
    }
    return user.transform(ar -> {
      telemetry.metrics().tokenFetch(credential, resource, ar.succeeded());
      if (ar.succeeded()) {
        span.answered(200);
        return token(ar.result());
      }
      span.failed(ar.cause());
      return Future.failedFuture(refusal(ar.cause()));
    });
  }

  private Future<AccessToken> token(User user) {
    String token = user.principal().getString("access_token");
    if (token == null) {
      return Future.failedFuture(unreachable("the answer has no access_token").exception());
    }
    // The library turns expires_in into an absolute "exp" attribute; without one, Entra's usual hour.
    long exp = user.attributes().getLong("exp", Instant.now().getEpochSecond() + 3600);
    return Future.succeededFuture(new AccessToken(token, Instant.ofEpochSecond(exp)));
  }

  /** Parses the library's failure text back into Entra's error code and AADSTS number, to name what to fix. */
  private RuntimeException refusal(Throwable failure) {
    String message = String.valueOf(failure.getMessage());
    Matcher oauth = OAUTH_ERROR.matcher(message);
    if (!oauth.matches()) {
      return unreachable(IdentityAnswers.firstLine(message)).exception(); // no OAuth error: connection or outage
    }
    String error = oauth.group(1);
    String description = IdentityAnswers.firstLine(oauth.group(2));
    Matcher code = AADSTS.matcher(description);
    String aadsts = code.find() ? code.group(1) : "";
    if (OUTAGE.contains(error)) {
      return unreachable(error + ": " + description).exception();
    }
    if (USER_REFUSED.contains(error)) {
      return Problem.forbidden("on-behalf-of-refused", "Your token could not be exchanged for a Graph token on your "
              + "behalf (" + error + ": " + description + "). An admin may need to grant consent for "
              + "CloudPC.ReadWrite.All to this API, or you may need to sign in again.")
          .with("identityError", error).exception();
    }
    String fix = switch (aadsts) {
      case "90002" -> "AZURE_TENANT_ID (the tenant was not found at " + options.tokenEndpoint() + ")";
      case "700016" -> "AZURE_CLIENT_ID (no such application in tenant " + options.tenantId() + ")";
      case "7000215", "7000222" -> "AZURE_CLIENT_SECRET (wrong or expired secret for client " + options.clientId()
          + ")";
      default -> switch (error) {
        case "invalid_client" -> "AZURE_CLIENT_SECRET or AZURE_CLIENT_ID (tenant " + options.tenantId() + ")";
        case "unauthorized_client" -> "AZURE_CLIENT_ID (tenant " + options.tenantId() + ")";
        default -> null;
      };
    };
    if (fix != null) {
      return Problem.of(500, "function-credential-rejected", "Function misconfigured", "The identity provider "
              + "rejected the function's own credentials (" + error + ": " + description + "). Fix " + fix
              + " in the function's settings. Nothing was changed.")
          .with("identityError", error).with("identityErrorCode", aadsts.isEmpty() ? null : "AADSTS" + aadsts)
          .exception();
    }
    return Problem.of(500, "graph-token-refused", "Function misconfigured",
            "The identity provider refused a Graph token (" + error + ": " + description + "). Check "
                + "GRAPH_BASE_URL (scope " + options.graphScope() + ") and the app registration.")
        .with("identityError", error).exception();
  }

  private Problem unreachable(String why) {
    return Problem.unavailable("identity-provider-unavailable", "A Graph token could not be obtained from "
        + options.tokenEndpoint() + " (" + why + "). Nothing was changed; try again shortly.", 5);
  }
}
