package dev.cloudpc.reprovision.sandbox;

import io.vertx.core.json.JsonObject;

/**
 * Entra access token formats. An API registration without {@code accessTokenAcceptedVersion: 2} receives v1 tokens,
 * so callers must be tested with both.
 */
public enum TokenVersion {
  /** iss {@code https://sts.windows.net/{tenant}/}, aud {@code api://{clientId}}, client in {@code appid}. */
  V1,
  /** iss {@code {authority}/{tenant}/v2.0}, aud {@code {clientId}}, client in {@code azp}. */
  V2;

  String issuer(String authority, String tenantId) {
    return this == V1 ? "https://sts.windows.net/" + tenantId + "/" : authority + "/" + tenantId + "/v2.0";
  }

  String audience(String clientId) {
    return this == V1 ? "api://" + clientId : clientId;
  }

  /** Puts the calling application's id and version marker the way this format does. */
  JsonObject putClient(JsonObject claims, String appId) {
    return this == V1
        ? claims.put("appid", appId).put("appidacr", "1").put("ver", "1.0")
        : claims.put("azp", appId).put("azpacr", "1").put("ver", "2.0");
  }
}
