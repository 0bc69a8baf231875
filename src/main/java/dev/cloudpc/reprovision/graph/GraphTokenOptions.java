package dev.cloudpc.reprovision.graph;

import dev.cloudpc.reprovision.config.GraphCredentialKind;
import dev.cloudpc.reprovision.config.ManagedIdentity;
import dev.cloudpc.reprovision.config.Secret;
import dev.cloudpc.reprovision.config.Settings;
import java.net.URI;
import java.time.Duration;
import java.util.Optional;

/**
 * What {@link GraphTokens} and its identity endpoints ({@link EntraTokenEndpoint}, {@link ManagedIdentityEndpoint})
 * need: which credential, this app's registration and Entra's token endpoint, the managed identity, the Graph
 * resource and scope the tokens are for, and how often a token Graph refused may be replaced
 * ({@code GRAPH_TOKEN_MIN_REFETCH_SECONDS}).
 */
public record GraphTokenOptions(GraphCredentialKind credential, String tenantId, String clientId,
                                Optional<Secret> clientSecret, URI tokenEndpoint, ManagedIdentity managedIdentity,
                                URI graphResource, String graphScope, Duration minRefetchAfterRefusal) {

  public static GraphTokenOptions from(Settings settings) {
    return new GraphTokenOptions(settings.graphCredential(), settings.tenantId(), settings.clientId(),
        settings.clientSecret(), settings.tokenEndpoint(), ManagedIdentity.from(settings), settings.graphBaseUrl(),
        settings.graphScope(), settings.graphTokenMinRefetch());
  }
}
