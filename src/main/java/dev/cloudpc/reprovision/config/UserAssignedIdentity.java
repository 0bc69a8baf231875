package dev.cloudpc.reprovision.config;

/**
 * Which user-assigned managed identity to ask for a token, as the App Service identity endpoint takes it: by client id
 * ({@code client_id}) or by Azure resource id ({@code mi_res_id}) — Learn: "Managed identities for App Service and
 * Azure Functions", REST endpoint reference.
 *
 * @param setting the setting that named it, for messages that say what to fix
 */
public record UserAssignedIdentity(String setting, String queryParameter, String value) {

  public static UserAssignedIdentity byClientId(String setting, String clientId) {
    return new UserAssignedIdentity(setting, "client_id", clientId);
  }

  public static UserAssignedIdentity byResourceId(String setting, String resourceId) {
    return new UserAssignedIdentity(setting, "mi_res_id", resourceId);
  }
}
