package dev.cloudpc.reprovision.config;

import java.net.URI;
import java.util.Optional;

/**
 * The function app's managed identity as App Service exposes it: {@code IDENTITY_ENDPOINT} and {@code IDENTITY_HEADER}
 * (set by the platform once the app has an identity) and, for a user-assigned identity, its client id
 * ({@code AZURE_MANAGED_IDENTITY_CLIENT_ID}). Learn: "Managed identities for App Service and Azure Functions".
 */
public record ManagedIdentity(Optional<URI> endpoint, Optional<Secret> header, Optional<String> clientId) {
  public static final String CLIENT_ID_SETTING = "AZURE_MANAGED_IDENTITY_CLIENT_ID";

  public static ManagedIdentity from(Settings settings) {
    return new ManagedIdentity(settings.identityEndpoint(), settings.identityHeader(),
        settings.managedIdentityClientId());
  }

  /** The user-assigned identity {@code AZURE_MANAGED_IDENTITY_CLIENT_ID} names, if any. */
  public Optional<UserAssignedIdentity> userAssigned() {
    return clientId.map(id -> UserAssignedIdentity.byClientId(CLIENT_ID_SETTING, id));
  }

  /** Both the endpoint and its header are set: tokens can be asked for. */
  public boolean available() {
    return endpoint.isPresent() && header.isPresent();
  }
}
