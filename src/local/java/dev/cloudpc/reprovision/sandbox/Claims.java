package dev.cloudpc.reprovision.sandbox;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/** Builds access-token claim sets the way Entra lays them out. */
final class Claims {

  private Claims() {
  }

  /**
   * Claims every token has. A negative lifetime gives an already expired token whose iat/nbf lie an hour before
   * exp, so "expired" is the only thing wrong with it.
   */
  static JsonObject common(String issuer, String audience, String tenantId, String oid, Duration lifetime) {
    long now = Instant.now().getEpochSecond();
    long exp = now + lifetime.toSeconds();
    long issued = lifetime.isNegative() ? exp - 3600 : now;
    return new JsonObject()
        .put("aud", audience)
        .put("iss", issuer)
        .put("iat", issued)
        .put("nbf", issued)
        .put("exp", exp)
        .put("tid", tenantId)
        .put("oid", oid)
        .put("uti", Ids.urlSafe(16));
  }

  /** App-only: {@code roles} and {@code idtyp: app}, never {@code scp}; sub equals oid as in Entra app tokens. */
  static JsonObject application(JsonObject common, List<String> roles) {
    return common.put("sub", common.getString("oid")).put("roles", new JsonArray(List.copyOf(roles)))
        .put("idtyp", "app");
  }

  /**
   * Delegated: {@code scp} space separated, no {@code idtyp}. {@code sub} is pairwise (differs from oid) so that
   * code authorizing on {@code sub} instead of {@code oid} fails visibly.
   */
  static JsonObject user(JsonObject common, SandboxUser user, List<String> scopes, List<String> roles) {
    common.put("sub", Ids.nameGuid("pairwise:" + user.id() + ":" + common.getString("aud")))
        .put("upn", user.userPrincipalName())
        .put("preferred_username", user.userPrincipalName())
        .put("unique_name", user.userPrincipalName())
        .put("name", user.displayName());
    if (!scopes.isEmpty()) {
      common.put("scp", String.join(" ", scopes));
    }
    if (!roles.isEmpty()) {
      common.put("roles", new JsonArray(List.copyOf(roles)));
    }
    return common;
  }
}
