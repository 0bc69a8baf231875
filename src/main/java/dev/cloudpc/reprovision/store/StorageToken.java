package dev.cloudpc.reprovision.store;

import dev.cloudpc.reprovision.config.ManagedIdentity;
import dev.cloudpc.reprovision.config.UserAssignedIdentity;
import dev.cloudpc.reprovision.graph.AccessToken;
import dev.cloudpc.reprovision.graph.ManagedIdentityEndpoint;
import dev.cloudpc.reprovision.graph.TokenCache;
import dev.cloudpc.reprovision.telemetry.Telemetry;
import io.vertx.core.Future;
import io.vertx.ext.web.client.WebClient;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;

/**
 * A bearer token for Azure Storage from the function app's managed identity, for identity-based connections: the
 * App Service identity endpoint with {@code resource=https://storage.azure.com/} (Learn: "Managed identities for App
 * Service and Azure Functions" — REST protocol; "Authorize access to tables using Microsoft Entra ID"), asked the way
 * Graph tokens are asked and cached by the same {@link TokenCache}: renewed in the background before it expires, and
 * served while valid however long the identity endpoint fails.
 */
final class StorageToken {
  static final String RESOURCE = "https://storage.azure.com/";

  private final TokenCache cache;

  /** @param clock what "now" is for the token's expiry and renewal (tests move it instead of waiting) */
  StorageToken(WebClient web, ManagedIdentity identity, Optional<UserAssignedIdentity> user, Clock clock,
               Telemetry telemetry) {
    ManagedIdentityEndpoint endpoint = new ManagedIdentityEndpoint(web, identity, RESOURCE,
        user.or(identity::userAssigned), "AzureWebJobsStorage__clientId", Duration.ofMillis(TableStore.TIMEOUT_MS),
        telemetry);
    this.cache = new TokenCache(endpoint::token, clock);
  }

  Future<String> get() {
    return cache.get().map(AccessToken::value);
  }
}
