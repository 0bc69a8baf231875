package dev.cloudpc.reprovision.sandbox;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The fake Entra ID: OpenID discovery (v1 and v2), JWKS, the token endpoint (client credentials, on-behalf-of), an
 * App Service style managed identity endpoint, and minting of caller tokens for tests. Thread-safe.
 */
public final class SandboxIdentity {

  /** The permission Graph's Cloud PC API wants; every Graph token the sandbox issues carries it. */
  public static final String GRAPH_PERMISSION = "CloudPC.ReadWrite.All";
  public static final Duration DEFAULT_TOKEN_LIFETIME = Duration.ofSeconds(3599);
  /** The {@code aud} of Azure Storage tokens (resource {@code https://storage.azure.com/}). */
  public static final String STORAGE_AUDIENCE = "https://storage.azure.com";

  /** A token verification is an RSA operation; a busy benchmark presents the same few tokens over and over. */
  private static final int VERIFIED_CACHE_LIMIT = 10_000;
  private static final long CLOCK_SKEW_SECONDS = 60;

  private record InjectedFailure(int status, JsonObject body) {
  }

  private final String tenantId;
  private final String clientId;
  private final String clientSecret;
  private final URI baseUrl;
  private final String graphAudience;
  private final IdentityKeyRing keys;
  private final String identityHeader = Ids.urlSafe(24);
  private final AtomicInteger jwksRequests = new AtomicInteger();
  private final AtomicInteger tokenRequests = new AtomicInteger();
  private final Queue<String> tokenTraceparents = new ConcurrentLinkedQueue<>();
  private final AtomicReference<InjectedFailure> tokenFailure = new AtomicReference<>();
  private final Map<String, Long> verifiedGraphTokens = new ConcurrentHashMap<>();
  private final Handler<HttpServerRequest> routes;
  private volatile Duration tokenLifetime = DEFAULT_TOKEN_LIFETIME;

  SandboxIdentity(Vertx vertx, String tenantId, String clientId, String clientSecret, URI baseUrl,
                  String graphAudience, IdentityKeyRing keys) {
    this.tenantId = tenantId;
    this.clientId = clientId;
    this.clientSecret = clientSecret;
    this.baseUrl = baseUrl;
    this.graphAudience = graphAudience;
    this.keys = keys;
    this.routes = IdentityRoutes.create(vertx, this, new TokenEndpoint(this));
  }

  public String tenantId() {
    return tenantId;
  }

  public String clientId() {
    return clientId;
  }

  /** The authority host, e.g. {@code http://127.0.0.1:41234} (no trailing slash). */
  public URI baseUrl() {
    return baseUrl;
  }

  public String issuer(TokenVersion version) {
    return version.issuer(baseUrl.toString(), tenantId);
  }

  /** The {@code aud} of Graph tokens: the Graph base URL as a string. */
  public String graphAudience() {
    return graphAudience;
  }

  /** {@code IDENTITY_ENDPOINT} for managed identity tests. */
  public URI msiEndpoint() {
    return URI.create(baseUrl + "/msi/token");
  }

  /** {@code IDENTITY_HEADER}: the secret the managed identity endpoint wants in {@code X-IDENTITY-HEADER}. */
  public String identityHeader() {
    return identityHeader;
  }

  public int jwksRequests() {
    return jwksRequests.get();
  }

  /** Requests to the token endpoints (v1, v2, managed identity), failed ones included. */
  public int tokenRequests() {
    return tokenRequests.get();
  }

  /** From now on every token request (all grants and the managed identity endpoint) gets this answer. */
  public void failTokenRequests(int status, JsonObject body) {
    tokenFailure.set(new InjectedFailure(status, body.copy()));
  }

  public void clearTokenFailures() {
    tokenFailure.set(null);
  }

  /** Lifetime of tokens issued by the endpoints from now on ({@code expires_in}); default 3599 s. */
  public void setTokenLifetime(Duration lifetime) {
    if (lifetime.isNegative() || lifetime.isZero()) {
      throw new IllegalArgumentException("token lifetime must be positive");
    }
    tokenLifetime = lifetime;
  }

  public Duration tokenLifetime() {
    return tokenLifetime;
  }

  /** A caller token for an application (client credentials to the function's API) with app roles. */
  public String mintApplicationToken(String appId, List<String> roles, TokenVersion version, Duration lifetime) {
    Objects.requireNonNull(appId, "appId");
    JsonObject common = Claims.common(issuer(version), version.audience(clientId), tenantId,
        servicePrincipalOf(appId), lifetime);
    return mint(version.putClient(Claims.application(common, roles), appId));
  }

  /** A delegated caller token for a user signed in to {@link SandboxSeed#USER_CLIENT_APP_ID}. */
  public String mintUserToken(SandboxUser user, List<String> scopes, List<String> roles, TokenVersion version,
                              Duration lifetime) {
    Objects.requireNonNull(user, "user");
    JsonObject common = Claims.common(issuer(version), version.audience(clientId), tenantId, user.id(), lifetime);
    return mint(version.putClient(Claims.user(common, user, scopes, roles), SandboxSeed.USER_CLIENT_APP_ID));
  }

  /** Signs exactly these claims with the current key (header: RS256, JWT, current kid). */
  public String mint(JsonObject claims) {
    return mint(new JsonObject().put("alg", "RS256").put("typ", "JWT").put("kid", currentKid()), claims);
  }

  /**
   * Signs with the current key under any header, for hostile tests: the signature is always RS256 by the current
   * key whatever {@code alg}/{@code kid} claim, except {@code "alg":"none"}, which yields an empty signature.
   */
  public String mint(JsonObject header, JsonObject claims) {
    return Jwt.sign(header, claims, keys.current().pair().getPrivate());
  }

  public KeyPair currentKey() {
    return keys.current().pair();
  }

  public String currentKid() {
    return keys.current().kid();
  }

  /** A new RSA key and kid; the JWKS then lists only the new key. Tokens of the previous key stay valid for Graph. */
  public Future<Void> rotateKey() {
    return keys.rotate().onSuccess(ignored -> verifiedGraphTokens.clear());
  }

  /**
   * The fake Graph's default token check: signed by the current or previous key, {@code aud} is the Graph base URL,
   * {@code tid} is this tenant, within nbf/exp. Accepts the raw token or {@code "Bearer <token>"}.
   */
  public boolean verifyGraphToken(String bearer) {
    if (bearer == null) {
      return false;
    }
    String token = bearer.regionMatches(true, 0, "Bearer ", 0, 7) ? bearer.substring(7).trim() : bearer.trim();
    long now = Instant.now().getEpochSecond();
    Long cachedExpiry = verifiedGraphTokens.get(token);
    if (cachedExpiry != null) {
      return now < cachedExpiry;
    }
    Optional<JsonObject> claims = verify(token).claims();
    if (claims.isEmpty() || !graphAudience.equals(claims.get().getValue("aud"))
        || !tenantId.equals(claims.get().getValue("tid"))) {
      return false;
    }
    if (verifiedGraphTokens.size() >= VERIFIED_CACHE_LIMIT) {
      verifiedGraphTokens.clear();
    }
    verifiedGraphTokens.put(token, claims.get().getLong("exp"));
    return true;
  }

  // ---- package-private: used by the endpoints ----

  /** Why a presented token was refused, or its claims. */
  record Verification(Optional<JsonObject> claims, String problem) {

    static Verification ok(JsonObject claims) {
      return new Verification(Optional.of(claims), null);
    }

    static Verification refused(String problem) {
      return new Verification(Optional.empty(), problem);
    }

    boolean expired() {
      return "expired".equals(problem);
    }
  }

  /** Signature by a trusted key and the time window; audience and issuer are the caller's business. */
  Verification verify(String token) {
    Optional<Jwt.Parsed> parsed = Jwt.parse(token);
    if (parsed.isEmpty()) {
      return Verification.refused("malformed");
    }
    Jwt.Parsed jwt = parsed.get();
    Optional<IdentityKeyRing.SigningKey> key = keys.trusted(jwt.kid());
    if (!jwt.isRs256() || key.isEmpty() || !Jwt.signatureValid(jwt, key.get().pair().getPublic())) {
      return Verification.refused("signature");
    }
    long now = Instant.now().getEpochSecond();
    if (!(jwt.claims().getValue("exp") instanceof Number exp) || now >= exp.longValue()) {
      return Verification.refused("expired");
    }
    if (jwt.claims().getValue("nbf") instanceof Number nbf && nbf.longValue() > now + CLOCK_SKEW_SECONDS) {
      return Verification.refused("expired");
    }
    return Verification.ok(jwt.claims());
  }

  boolean secretMatches(String presented) {
    return presented != null && MessageDigest.isEqual(presented.getBytes(StandardCharsets.UTF_8),
        clientSecret.getBytes(StandardCharsets.UTF_8));
  }

  /** Graph token for an application (client credentials or managed identity). */
  String graphAppToken(String appId, String servicePrincipalId) {
    return appToken(graphAudience, List.of(GRAPH_PERMISSION), appId, servicePrincipalId);
  }

  /** Azure Storage token for the managed identity, as identity-based storage connections ask for it. */
  String storageAppToken(String appId, String servicePrincipalId) {
    return appToken(STORAGE_AUDIENCE, List.of(), appId, servicePrincipalId);
  }

  private String appToken(String audience, List<String> roles, String appId, String servicePrincipalId) {
    JsonObject claims = Claims.application(Claims.common(issuer(TokenVersion.V2), audience, tenantId,
        servicePrincipalId, tokenLifetime), roles);
    return mint(claims.put("azp", appId).put("appid", appId).put("ver", "2.0"));
  }

  /** Graph token for the user of an on-behalf-of assertion, issued to the function's app. */
  String graphUserToken(JsonObject assertion) {
    String upn = assertion.getValue("upn") instanceof String u ? u
        : String.valueOf(assertion.getValue("preferred_username"));
    JsonObject claims = Claims.common(issuer(TokenVersion.V2), graphAudience, tenantId,
            String.valueOf(assertion.getValue("oid")), tokenLifetime)
        .put("sub", Ids.nameGuid("pairwise:" + assertion.getValue("oid") + ":" + graphAudience))
        .put("upn", upn)
        .put("preferred_username", upn)
        .put("name", assertion.getValue("name"))
        .put("scp", GRAPH_PERMISSION)
        .put("azp", clientId)
        .put("appid", clientId)
        .put("ver", "2.0");
    return mint(claims);
  }

  JsonObject jwks() {
    jwksRequests.incrementAndGet();
    return keys.jwks();
  }

  /** The W3C traceparent headers token requests came with (v1, v2, managed identity), oldest first. */
  public List<String> tokenRequestTraceparents() {
    return List.copyOf(tokenTraceparents);
  }

  /** Counts a token request (and its traceparent, if any) and returns the injected failure, if any. */
  Optional<JsonReply> countTokenRequest(String traceparent) {
    tokenRequests.incrementAndGet();
    if (traceparent != null) {
      tokenTraceparents.add(traceparent);
    }
    return Optional.ofNullable(tokenFailure.get()).map(f -> new JsonReply(f.status(), f.body().copy()));
  }

  Handler<HttpServerRequest> routes() {
    return routes;
  }

  /** Deterministic service principal object id per application, like a real tenant's enterprise apps. */
  String servicePrincipalOf(String appId) {
    return clientId.equals(appId) ? SandboxSeed.FUNCTION_SERVICE_PRINCIPAL_ID
        : Ids.nameGuid("service-principal:" + tenantId + ":" + appId);
  }
}
