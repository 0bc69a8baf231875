package dev.cloudpc.reprovision.auth;

import dev.cloudpc.reprovision.request.Problem;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Reads App Service authentication's {@code X-MS-CLIENT-PRINCIPAL} (base64 JSON of the validated token's claims).
 * Only ever consulted when the platform vouches for it ({@code WEBSITE_AUTH_ENABLED=true}); anyone can send the header.
 */
final class EasyAuthPrincipal {
  static final String HEADER = "X-MS-CLIENT-PRINCIPAL";
  private static final String CLAIMS = "http://schemas.microsoft.com/identity/claims/";

  private EasyAuthPrincipal() {
  }

  static Caller parse(String header, String tenantId, List<String> audiences) {
    JsonObject principal;
    try {
      principal = new JsonObject(new String(Base64.getDecoder().decode(header.trim()), StandardCharsets.UTF_8));
    } catch (RuntimeException e) {
      throw refused("the " + HEADER + " header is not base64-encoded JSON");
    }
    JsonArray claims = principal.getJsonArray("claims", new JsonArray());
    String roleType = principal.getString("role_typ", "roles");
    String oid = first(claims, "oid", CLAIMS + "objectidentifier");
    String tid = first(claims, "tid", CLAIMS + "tenantid");
    if (oid == null || !tenantId.equalsIgnoreCase(tid)) {
      throw refused("the platform's principal has no object id or comes from another tenant");
    }
    // The platform checks audiences against its own allowed list; this API still insists on its own.
    if (!audiences.contains(first(claims, "aud", "aud"))) {
      throw refused("the platform's principal was issued for another audience");
    }
    Set<String> roles = new HashSet<>();
    Set<String> scopes = new HashSet<>();
    for (Object entry : claims) {
      if (entry instanceof JsonObject claim && claim.getString("val") != null) {
        String type = claim.getString("typ", "");
        if (type.equals(roleType) || type.equals("roles")) {
          roles.add(claim.getString("val"));
        } else if (type.equals("scp") || type.equals(CLAIMS + "scope")) {
          scopes.addAll(Set.of(claim.getString("val").trim().split(" +")));
        }
      }
    }
    String appId = Optional.ofNullable(first(claims, "azp", "azp")).orElse(first(claims, "appid", "appid"));
    String name = Optional.ofNullable(first(claims, "preferred_username", "upn")).orElse(first(claims, "name", "name"));
    Caller.Kind kind = scopes.isEmpty() ? Caller.Kind.EASY_AUTH_APPLICATION : Caller.Kind.EASY_AUTH_USER;
    return new Caller(kind, oid, tenantId, appId, name, roles, scopes, Optional.empty());
  }

  private static String first(JsonArray claims, String shortType, String longType) {
    for (Object entry : claims) {
      if (entry instanceof JsonObject claim) {
        String type = claim.getString("typ");
        if (shortType.equals(type) || longType.equals(type)) {
          return claim.getString("val");
        }
      }
    }
    return null;
  }

  private static RuntimeException refused(String why) {
    return Problem.unauthorized("The platform-authenticated principal was refused: " + why + ".")
        .withHeader("WWW-Authenticate", Problem.bearerChallenge(why))
        .exception();
  }
}
