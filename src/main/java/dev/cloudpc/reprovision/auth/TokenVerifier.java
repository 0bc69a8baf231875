package dev.cloudpc.reprovision.auth;

import dev.cloudpc.reprovision.config.Secret;
import dev.cloudpc.reprovision.request.Problem;
import dev.cloudpc.reprovision.request.ProblemException;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.NoSuchKeyIdException;
import io.vertx.ext.auth.User;
import java.nio.charset.StandardCharsets;
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
 * Turns an Entra ID access token into a {@link Caller}. The RS256 signature (and audience, expiry) is checked by
 * vertx-auth-oauth2 through {@link SigningKeys}, once per token and key set; the claims below are checked on every
 * request, because a flow reuses its token for an hour and the library is not asked again for a token it verified.
 */
public final class TokenVerifier {
  static final Duration CLOCK_SKEW = Duration.ofMinutes(2);
  private static final int MAX_TOKEN_LENGTH = 16 * 1024;
  private static final int VERIFIED_MAX = 1_000;

  private final SigningKeys keys;
  private final Set<String> issuers;
  private final List<String> audiences;
  private final String tenantId;
  private final Map<String, Verified> verified = new ConcurrentHashMap<>();
  private final Map<String, Future<User>> checking = new ConcurrentHashMap<>();

  /** Claims the library verified, and under which key set. */
  private record Verified(JsonObject claims, int generation) {
  }

  public TokenVerifier(SigningKeys keys, TokenOptions options) {
    this.keys = keys;
    // One provider serves both: Entra signs v1 and v2 tokens with the same keys, and JWTOptions holds one issuer.
    this.issuers = Set.of(options.v2Issuer(), options.v1Issuer());
    this.audiences = options.audiences();
    this.tenantId = options.tenantId();
  }

  public Future<Caller> verify(String token) {
    Verified known = verified.get(token);
    if (known != null && known.generation() == keys.generation()) {
      return checked(known.claims(), token);
    }
    String kid;
    try {
      kid = rs256Kid(token);
    } catch (ProblemException e) {
      return Future.failedFuture(e);
    }
    int generation = keys.generation();
    return firstCheck(token).transform(ar -> ar.succeeded()
        ? accepted(ar.result(), token, generation)
        : Future.failedFuture(refusal(ar.cause(), token, kid)));
  }

  /** Concurrent first uses of one token (a flow's burst, or everyone waiting for the start-up fetch) share one check. */
  private Future<User> firstCheck(String token) {
    Promise<User> promise = Promise.promise();
    Future<User> running = checking.putIfAbsent(token, promise.future());
    if (running != null) {
      return running;
    }
    keys.authenticate(token).onComplete(ar -> {
      checking.remove(token, promise.future());
      promise.handle(ar);
    });
    return promise.future();
  }

  private Future<Caller> accepted(User user, String token, int generation) {
    // Only a token the library verified locally carries its claims here; nothing else is ever accepted.
    if (!(user.attributes().getValue("accessToken") instanceof JsonObject claims)) {
      return Future.failedFuture(invalid("the token could not be verified with the tenant's signing keys"));
    }
    Future<Caller> caller = checked(claims, token);
    if (caller.succeeded()) {
      if (verified.size() >= VERIFIED_MAX) {
        verified.clear();
      }
      verified.put(token, new Verified(claims, generation));
    }
    return caller;
  }

  /**
   * The library refuses with a generic message (OAuth2AuthProviderImpl swallows the reason); tell the caller what is
   * wrong from the token's own, unverified, claims — it is refused either way.
   */
  private RuntimeException refusal(Throwable failure, String token, String kid) {
    if (failure instanceof ProblemException problem) {
      return problem;
    }
    if (failure instanceof NoSuchKeyIdException) {
      return invalid("the token was signed with key '" + kid + "', which is not one of the tenant's current "
          + "signing keys");
    }
    JsonObject claims;
    try {
      claims = new JsonObject(new String(Base64.getUrlDecoder().decode(token.split("\\.")[1]),
          StandardCharsets.UTF_8));
    } catch (RuntimeException e) {
      return invalid("the token is not a well-formed JWT");
    }
    Future<Caller> diagnosis = checked(claims, token);
    return diagnosis.failed() ? (RuntimeException) diagnosis.cause()
        : invalid("the token's signature is not valid");
  }

  /**
   * What the library would look up a key by. Refused here first: it picks keys by the token's own {@code alg}, reads
   * an unsupported one as a missing key (a refetch), and without a {@code kid} tries every key (JWT.decode).
   */
  private static String rs256Kid(String token) {
    if (token.length() > MAX_TOKEN_LENGTH) {
      throw invalid("the token is too long");
    }
    int first = token.indexOf('.');
    int second = first < 0 ? -1 : token.indexOf('.', first + 1);
    if (first < 0 || second < 0 || token.indexOf('.', second + 1) >= 0) {
      throw invalid("the token is not a signed JWT (three dot-separated parts)");
    }
    JsonObject header;
    try {
      header = new JsonObject(new String(Base64.getUrlDecoder().decode(token.substring(0, first)),
          StandardCharsets.UTF_8));
    } catch (RuntimeException e) {
      throw invalid("the token is not a well-formed JWT");
    }
    Object alg = header.getValue("alg");
    if (!"RS256".equals(alg)) {
      throw invalid("the token's algorithm '" + alg + "' is not accepted; only RS256");
    }
    if (!(header.getValue("kid") instanceof String kid) || kid.isEmpty()) {
      throw invalid("the token header has no 'kid'");
    }
    return kid;
  }

  private Future<Caller> checked(JsonObject claims, String token) {
    try {
      return Future.succeededFuture(caller(claims, token));
    } catch (ProblemException e) {
      return Future.failedFuture(e);
    } catch (RuntimeException e) {
      return Future.failedFuture(invalid("the token's claims are not well-formed"));
    }
  }

  private Caller caller(JsonObject claims, String token) {
    String issuer = optionalString(claims, "iss");
    if (issuer == null || !issuers.contains(issuer)) {
      throw invalid("the token's issuer '" + issuer + "' is not this tenant's (expected " + String.join(" or ",
          issuers.stream().sorted().toList()) + ")");
    }
    List<String> tokenAudiences = audiences(claims.getValue("aud"));
    if (tokenAudiences.stream().noneMatch(audiences::contains)) {
      throw invalid("the token's audience " + tokenAudiences + " is not this API; request a token for "
          + audiences.get(1) + " (scope " + audiences.get(1) + "/.default for applications)");
    }
    if (!tenantId.equalsIgnoreCase(optionalString(claims, "tid"))) {
      throw invalid("the token comes from another tenant ('tid' is not " + tenantId + ")");
    }
    // The library checks times only inside authenticate; a token verified earlier is checked here on every request.
    long now = System.currentTimeMillis() / 1000;
    long skew = CLOCK_SKEW.toSeconds();
    Long exp = number(claims, "exp");
    if (exp == null || now > exp + skew) {
      throw invalid("the token has expired; request a new one");
    }
    Long nbf = number(claims, "nbf");
    Long iat = number(claims, "iat");
    if ((nbf != null && now + skew < nbf) || (iat != null && now + skew < iat)) {
      throw invalid("the token is not valid yet ('nbf' or 'iat' is in the future)");
    }
    String oid = optionalString(claims, "oid");
    if (oid == null) {
      throw invalid("the token has no 'oid' claim");
    }
    Set<String> roles = new HashSet<>(strings(claims.getValue("roles"), "roles"));
    String scp = optionalString(claims, "scp");
    Set<String> scopes = scp == null ? Set.of() : new HashSet<>(Arrays.asList(scp.trim().split(" +")));
    String appId = Optional.ofNullable(optionalString(claims, "azp")).orElse(optionalString(claims, "appid"));
    // Entra: an app-only token has roles and no scp; idtyp is optional and not relied upon.
    Caller.Kind kind = scp != null ? Caller.Kind.USER : Caller.Kind.APPLICATION;
    String name = Optional.ofNullable(optionalString(claims, "preferred_username"))
        .orElse(optionalString(claims, "upn"));
    return new Caller(kind, oid, tenantId, appId, name, roles, scopes, Optional.of(new Secret(token)));
  }

  private static List<String> audiences(Object aud) {
    if (aud instanceof String s) {
      return List.of(s);
    }
    return aud instanceof JsonArray ? strings(aud, "aud") : List.of();
  }

  /** A claim that is absent or an array of strings; anything else refuses the token. */
  private static List<String> strings(Object value, String name) {
    if (value == null) {
      return List.of();
    }
    if (value instanceof JsonArray array && array.stream().allMatch(String.class::isInstance)) {
      return array.stream().map(String.class::cast).toList();
    }
    throw invalid("the token's '" + name + "' claim is not a list of strings");
  }

  private static String optionalString(JsonObject claims, String name) {
    Object value = claims.getValue(name);
    if (value == null || value instanceof String) {
      return (String) value;
    }
    throw invalid("the token's '" + name + "' claim is not a string");
  }

  private static Long number(JsonObject claims, String name) {
    Object value = claims.getValue(name);
    if (value == null || value instanceof Number) {
      return value == null ? null : ((Number) value).longValue();
    }
    throw invalid("the token's '" + name + "' claim is not a number");
  }

  /** A 401 whose detail and {@code WWW-Authenticate} say what is wrong with the token (never the token itself). */
  static ProblemException invalid(String why) {
    return Problem.unauthorized("The bearer token was refused: " + why + ".")
        .withHeader("WWW-Authenticate", Problem.bearerChallenge(why))
        .exception();
  }

}
