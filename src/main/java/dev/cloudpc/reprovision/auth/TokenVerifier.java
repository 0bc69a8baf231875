package dev.cloudpc.reprovision.auth;

import dev.cloudpc.reprovision.config.Secret;
import dev.cloudpc.reprovision.config.Settings;
import dev.cloudpc.reprovision.http.Problem;
import dev.cloudpc.reprovision.http.ProblemException;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.security.Signature;
import java.time.Duration;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Validates an Entra ID access token locally: RS256 signature by one of the tenant's keys, issuer (v2 or v1),
 * audience, tenant, expiry and not-before. Deliberately not {@code OAuth2Auth.authenticate}, whose userinfo fallback
 * would let a token meant for another resource (Graph) through.
 */
public final class TokenVerifier {
  static final Duration CLOCK_SKEW = Duration.ofMinutes(2);
  private static final int MAX_TOKEN_LENGTH = 16 * 1024;
  private static final int VERIFIED_MAX = 1_000;

  private final SigningKeys keys;
  private final Set<String> issuers;
  private final List<String> audiences;
  private final String tenantId;
  private final Map<String, PublicKey> verified = new ConcurrentHashMap<>();

  public TokenVerifier(SigningKeys keys, Settings settings) {
    this.keys = keys;
    this.issuers = Set.of(settings.v2Issuer(), settings.v1Issuer());
    this.audiences = settings.acceptedAudiences();
    this.tenantId = settings.tenantId();
  }

  public Future<Caller> verify(String token) {
    Jwt jwt;
    try {
      jwt = Jwt.parse(token);
    } catch (IllegalArgumentException e) {
      return Future.failedFuture(invalid(e.getMessage()));
    }
    String alg = jwt.header().getString("alg");
    if (!"RS256".equals(alg)) {
      return Future.failedFuture(invalid("the token's algorithm '" + alg + "' is not accepted; only RS256"));
    }
    String kid = jwt.header().getString("kid");
    if (kid == null) {
      return Future.failedFuture(invalid("the token header has no 'kid'"));
    }
    return keys.key(kid).compose(key -> {
      // A flow reuses its token for an hour: verify each token's RS256 signature once per signing key (the key
      // object changes when the key set is refetched), but check its claims — expiry above all — every time.
      if (verified.get(token) != key) {
        if (!signatureValid(jwt, key)) {
          return Future.failedFuture(invalid("the token's signature is not valid"));
        }
        if (verified.size() >= VERIFIED_MAX) {
          verified.clear();
        }
        verified.put(token, key);
      }
      try {
        return Future.succeededFuture(caller(jwt.claims(), token));
      } catch (ProblemException e) {
        return Future.failedFuture(e);
      }
    });
  }

  private Caller caller(JsonObject claims, String token) {
    String issuer = claims.getValue("iss") instanceof String s ? s : null;
    if (!issuers.contains(issuer)) {
      throw invalid("the token's issuer '" + issuer + "' is not this tenant's (expected " + String.join(" or ",
          issuers.stream().sorted().toList()) + ")");
    }
    List<String> tokenAudiences = audiences(claims.getValue("aud"));
    if (tokenAudiences.stream().noneMatch(audiences::contains)) {
      throw invalid("the token's audience " + tokenAudiences + " is not this API; request a token for "
          + audiences.get(1) + " (scope " + audiences.get(1) + "/.default for applications)");
    }
    if (!tenantId.equalsIgnoreCase(string(claims, "tid"))) {
      throw invalid("the token comes from another tenant ('tid' is not " + tenantId + ")");
    }
    long now = System.currentTimeMillis() / 1000;
    long skew = CLOCK_SKEW.toSeconds();
    Long exp = number(claims, "exp");
    if (exp == null || now > exp + skew) {
      throw invalid("the token has expired; request a new one");
    }
    Long nbf = number(claims, "nbf");
    if (nbf != null && now + skew < nbf) {
      throw invalid("the token is not valid yet ('nbf' is in the future)");
    }
    String oid = string(claims, "oid");
    if (oid == null) {
      throw invalid("the token has no 'oid' claim");
    }
    Set<String> roles = new HashSet<>();
    if (claims.getValue("roles") instanceof JsonArray array) {
      array.forEach(r -> roles.add(String.valueOf(r)));
    }
    String scp = string(claims, "scp");
    Set<String> scopes = scp == null ? Set.of() : new HashSet<>(Arrays.asList(scp.trim().split(" +")));
    String appId = Optional.ofNullable(string(claims, "azp")).orElse(string(claims, "appid"));
    // Entra: an app-only token has roles and no scp; idtyp is optional and not relied upon.
    Caller.Kind kind = scp != null ? Caller.Kind.USER : Caller.Kind.APPLICATION;
    String name = Optional.ofNullable(string(claims, "preferred_username")).orElse(string(claims, "upn"));
    return new Caller(kind, oid, tenantId, appId, name, roles, scopes, Optional.of(new Secret(token)));
  }

  private static boolean signatureValid(Jwt jwt, PublicKey key) {
    try {
      Signature verifier = Signature.getInstance("SHA256withRSA");
      verifier.initVerify(key);
      verifier.update(jwt.signingInput());
      return verifier.verify(jwt.signature());
    } catch (GeneralSecurityException | RuntimeException e) {
      return false;
    }
  }

  private static List<String> audiences(Object aud) {
    if (aud instanceof String s) {
      return List.of(s);
    }
    if (aud instanceof JsonArray array) {
      return array.stream().map(String::valueOf).toList();
    }
    return List.of();
  }

  private static String string(JsonObject claims, String name) {
    return claims.getValue(name) instanceof String s ? s : null;
  }

  private static Long number(JsonObject claims, String name) {
    return claims.getValue(name) instanceof Number n ? n.longValue() : null;
  }

  /** A 401 whose detail and {@code WWW-Authenticate} say what is wrong with the token (never the token itself). */
  static ProblemException invalid(String why) {
    return Problem.unauthorized("The bearer token was refused: " + why + ".")
        .withHeader("WWW-Authenticate", wwwAuthenticate(why))
        .exception();
  }

  /** The RFC 6750 challenge every 401 of this API carries; {@code why} is the caller's hint, never a credential. */
  public static String wwwAuthenticate(String why) {
    // The reason may quote token-chosen text (alg, kid): no control characters, quotes or unbounded length.
    String safe = why.replaceAll("[\\p{Cntrl}\"\\\\]", "?");
    return "Bearer error=\"invalid_token\", error_description=\""
        + (safe.length() > 160 ? safe.substring(0, 160) + "…" : safe) + "\"";
  }

  /** The three parts of a compact JWS. */
  record Jwt(JsonObject header, JsonObject claims, byte[] signingInput, byte[] signature) {
    static Jwt parse(String token) {
      if (token.length() > MAX_TOKEN_LENGTH) {
        throw new IllegalArgumentException("the token is too long");
      }
      int first = token.indexOf('.');
      int second = first < 0 ? -1 : token.indexOf('.', first + 1);
      if (first < 0 || second < 0 || token.indexOf('.', second + 1) >= 0) {
        throw new IllegalArgumentException("the token is not a signed JWT (three dot-separated parts)");
      }
      try {
        Base64.Decoder decoder = Base64.getUrlDecoder();
        JsonObject header = new JsonObject(new String(decoder.decode(token.substring(0, first)),
            StandardCharsets.UTF_8));
        JsonObject claims = new JsonObject(new String(decoder.decode(token.substring(first + 1, second)),
            StandardCharsets.UTF_8));
        byte[] signature = decoder.decode(token.substring(second + 1));
        return new Jwt(header, claims, token.substring(0, second).getBytes(StandardCharsets.US_ASCII), signature);
      } catch (RuntimeException e) {
        throw new IllegalArgumentException("the token is not a well-formed JWT");
      }
    }
  }
}
