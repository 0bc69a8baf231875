package dev.cloudpc.reprovision.auth;

import dev.cloudpc.reprovision.config.Secret;
import io.vertx.core.json.JsonObject;
import java.util.Optional;
import java.util.Set;

/**
 * Who is calling, as established by {@link CallerValidator}. Identity is {@code objectId} + {@code tenantId}; the
 * display name is for audit only (UPNs and e-mails are mutable and never used to decide anything).
 *
 * @param assertion the caller's own bearer token, kept only for the on-behalf-of exchange
 */
public record Caller(Kind kind, String objectId, String tenantId, String appId, String displayName,
                     Set<String> roles, Set<String> scopes, Optional<Secret> assertion) {

  public enum Kind {
    /** An app-only token (client credentials, managed identity): {@code roles} and no {@code scp}. */
    APPLICATION,
    /** A delegated token: the signed-in user is {@code objectId}. */
    USER,
    /** A caller that only presented a function key (opt-in, acts as an admin application). */
    FUNCTION_KEY,
    /** An Easy Auth principal vouched for by the platform. */
    EASY_AUTH_USER,
    EASY_AUTH_APPLICATION
  }

  public Caller {
    roles = Set.copyOf(roles);
    scopes = Set.copyOf(scopes);
  }

  public boolean isUser() {
    return kind == Kind.USER || kind == Kind.EASY_AUTH_USER;
  }

  public boolean hasRole(String role) {
    return roles.contains(role);
  }

  public boolean hasScope(String scope) {
    return scopes.contains(scope);
  }

  /** What audit and refusal log lines say about the caller: identifiers, never tokens. */
  public JsonObject auditJson() {
    JsonObject json = new JsonObject().put("kind", kind.name().toLowerCase(java.util.Locale.ROOT));
    if (objectId != null) {
      json.put("oid", objectId);
    }
    if (appId != null) {
      json.put("appid", appId);
    }
    if (displayName != null) {
      json.put("name", displayName);
    }
    return json;
  }
}
