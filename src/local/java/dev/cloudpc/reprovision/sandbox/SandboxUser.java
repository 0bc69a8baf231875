package dev.cloudpc.reprovision.sandbox;

import io.vertx.core.json.JsonObject;

/** A directory user: {@code id} is the object id ({@code oid} in tokens), the UPN is only a display value. */
public record SandboxUser(String id, String userPrincipalName, String displayName) {

  JsonObject toJson() {
    return new JsonObject()
        .put("id", id)
        .put("userPrincipalName", userPrincipalName)
        .put("displayName", displayName)
        .put("mail", userPrincipalName);
  }
}
