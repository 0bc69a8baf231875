package dev.cloudpc.reprovision.bench;

import com.azure.core.credential.AccessToken;
import com.azure.core.credential.TokenCredential;
import com.azure.core.credential.TokenRequestContext;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.time.Duration;
import java.time.OffsetDateTime;
import okhttp3.FormBody;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import okhttp3.ResponseBody;
import reactor.core.publisher.Mono;

/**
 * An app-only token by the client-credentials grant (identity-platform/v2-oauth2-client-creds-grant-flow.md), fetched
 * by the first request that needs one and reused until five minutes before it expires, as azure-identity's
 * credentials do. Why not azure-identity's {@code ClientSecretCredential}: it refuses an authority host that is not
 * https ("Authority host must use https scheme.", and MSAL underneath "authority should use the 'https' scheme"), and
 * the sandbox identity is plain http on loopback. So the SDK peer loads neither MSAL nor azure-core's Netty HTTP
 * client: its cold start is a lower bound for one that does.
 */
final class ClientSecretTokenCredential implements TokenCredential {
  private static final Duration REFRESH_BEFORE_EXPIRY = Duration.ofMinutes(5);

  private final OkHttpClient http = new OkHttpClient();
  private final String tokenUrl;
  private final String clientId;
  private final String clientSecret;
  private volatile AccessToken token;

  ClientSecretTokenCredential(URI authorityHost, String tenantId, String clientId, String clientSecret) {
    this.tokenUrl = authorityHost.resolve("/" + tenantId + "/oauth2/v2.0/token").toString();
    this.clientId = clientId;
    this.clientSecret = clientSecret;
  }

  @Override
  public Mono<AccessToken> getToken(TokenRequestContext request) {
    return Mono.fromSupplier(() -> getTokenSync(request));
  }

  @Override
  public AccessToken getTokenSync(TokenRequestContext request) {
    AccessToken current = token;
    if (fresh(current)) {
      return current;
    }
    synchronized (this) {
      if (!fresh(token)) {
        token = fetch(String.join(" ", request.getScopes()));
      }
      return token;
    }
  }

  private static boolean fresh(AccessToken token) {
    return token != null && OffsetDateTime.now().plus(REFRESH_BEFORE_EXPIRY).isBefore(token.getExpiresAt());
  }

  private AccessToken fetch(String scope) {
    Request request = new Request.Builder().url(tokenUrl).post(new FormBody.Builder()
        .add("grant_type", "client_credentials").add("client_id", clientId).add("client_secret", clientSecret)
        .add("scope", scope).build()).build();
    try (Response response = http.newCall(request).execute(); ResponseBody body = response.body()) {
      JsonObject json = JsonParser.parseString(body == null ? "" : body.string()).getAsJsonObject();
      if (!response.isSuccessful() || !json.has("access_token")) {
        // Entra's error code and description name what to fix and carry no secret.
        throw new IllegalStateException("token endpoint answered " + response.code() + " " + json.get("error")
            + ": " + json.get("error_description"));
      }
      return new AccessToken(json.get("access_token").getAsString(),
          OffsetDateTime.now().plusSeconds(json.get("expires_in").getAsLong()));
    } catch (IOException e) {
      throw new UncheckedIOException("token endpoint not reachable: " + tokenUrl, e);
    }
  }
}
