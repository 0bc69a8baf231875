package dev.cloudpc.reprovision.store;

import dev.cloudpc.reprovision.config.ManagedIdentity;
import dev.cloudpc.reprovision.graph.AccessToken;
import dev.cloudpc.reprovision.graph.TokenCache;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.WebClient;
import java.time.Instant;
import java.util.Optional;

/**
 * A bearer token for Azure Storage from the function app's managed identity, for identity-based connections: the
 * App Service identity endpoint with {@code resource=https://storage.azure.com/} (Learn: "Managed identities for App
 * Service and Azure Functions" — REST protocol; "Authorize access to tables using Microsoft Entra ID"), cached and
 * fetched once for all waiters by the same {@link TokenCache} the Graph tokens use.
 */
final class StorageToken {
  static final String RESOURCE = "https://storage.azure.com/";

  private final TokenCache cache;

  StorageToken(WebClient web, ManagedIdentity identity, Optional<String> clientId) {
    this.cache = new TokenCache(() -> fetch(web, identity, clientId.or(identity::clientId)));
  }

  Future<String> get() {
    return cache.get().map(AccessToken::value);
  }

  private static Future<AccessToken> fetch(WebClient web, ManagedIdentity identity, Optional<String> clientId) {
    HttpRequest<Buffer> request = web.getAbs(identity.endpoint().orElseThrow().toString())
        .timeout(TableStore.TIMEOUT_MS)
        .addQueryParam("resource", RESOURCE)
        .addQueryParam("api-version", "2019-08-01")
        .putHeader("X-IDENTITY-HEADER", identity.header().orElseThrow().value());
    clientId.ifPresent(id -> request.addQueryParam("client_id", id));
    return request.send().compose(response -> {
      JsonObject body = response.statusCode() == 200 ? response.bodyAsJsonObject() : null;
      if (body == null || body.getString("access_token") == null) {
        return Future.failedFuture(new IllegalStateException("the managed identity endpoint answered HTTP "
            + response.statusCode() + " for a storage token"));
      }
      Object expiresOn = body.getValue("expires_on"); // epoch seconds, sometimes as a string
      long seconds = expiresOn == null ? Instant.now().getEpochSecond() + 3600 : Long.parseLong(expiresOn.toString());
      return Future.succeededFuture(new AccessToken(body.getString("access_token"), Instant.ofEpochSecond(seconds)));
    });
  }
}
