package dev.cloudpc.reprovision.graph;

import dev.cloudpc.reprovision.auth.Caller;
import dev.cloudpc.reprovision.config.GraphCredentialKind;
import dev.cloudpc.reprovision.config.ManagedIdentity;
import dev.cloudpc.reprovision.request.Problem;
import dev.cloudpc.reprovision.telemetry.Telemetry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.ext.web.client.WebClient;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * Graph tokens for the configured credential: one cached app-only token (client secret or managed identity), and
 * with on-behalf-of a bounded cache of exchanged tokens keyed by a hash of the caller's assertion.
 */
public final class GraphTokens {
  private static final int MAX_DELEGATED = 1024;
  /** How often a 403 on an app-only call may renew the token, so new consent applies without a restart. */
  static final Duration CONSENT_RENEWAL = Duration.ofMinutes(5);

  private final boolean delegated;
  private final Duration minRefetch;
  private final TokenCache appOnly;
  private final EntraTokenEndpoint entra;
  private final AtomicInteger requests = new AtomicInteger();
  private final Map<String, TokenCache> onBehalfOf = new LinkedHashMap<>(64, 0.75f, true) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<String, TokenCache> eldest) {
      return size() > MAX_DELEGATED;
    }
  };

  public GraphTokens(Vertx vertx, WebClient web, GraphTokenOptions options, Telemetry telemetry) {
    this.entra = new EntraTokenEndpoint(vertx, options, telemetry);
    this.delegated = options.credential() == GraphCredentialKind.ON_BEHALF_OF;
    this.minRefetch = options.minRefetchAfterRefusal();
    boolean managedIdentity = options.credential() == GraphCredentialKind.MANAGED_IDENTITY
        || (delegated && options.managedIdentity().available());
    if (managedIdentity) {
      ManagedIdentityEndpoint endpoint = new ManagedIdentityEndpoint(web, options.managedIdentity(),
          options.graphResource().toString(), options.managedIdentity().userAssigned(),
          ManagedIdentity.CLIENT_ID_SETTING, Duration.ofMillis(EntraTokenEndpoint.TIMEOUT_MS), telemetry);
      this.appOnly = cache(counted(endpoint::token), false);
    } else {
      this.appOnly = cache(counted(entra::clientCredentials), false);
    }
  }

  /** With on-behalf-of, the me/users routes use Graph's own delegated routes so Graph enforces the user's rights. */
  public boolean delegatedUserRoutes() {
    return delegated;
  }

  public Future<AccessToken> appOnly() {
    return appOnly.get();
  }

  /**
   * Start-up warm-up: fetches the app-only token so that the first request does not wait for it. Completes when the
   * attempt ended either way; a failure stays in the cache as any failed fetch does (remembered briefly, reported by
   * health, and requests fail closed with it or with their own fetch).
   */
  public Future<Void> warmUp() {
    return appOnly.get().<Void>mapEmpty().otherwiseEmpty();
  }

  public Future<AccessToken> onBehalfOf(Caller caller) {
    if (caller.assertion().isEmpty()) {
      return Future.failedFuture(Problem.unauthorized("GRAPH_CREDENTIAL is on-behalf-of, which needs the caller's "
          + "own bearer token to act for them; send 'Authorization: Bearer <token>'.")
          .withHeader("WWW-Authenticate", Problem.bearerChallenge("on-behalf-of needs the caller's bearer token"))
          .exception());
    }
    String assertion = caller.assertion().get().value();
    TokenCache cache;
    synchronized (onBehalfOf) {
      cache = onBehalfOf.computeIfAbsent(sha256(assertion),
          k -> cache(counted(() -> entra.onBehalfOf(assertion)), true));
    }
    return cache.get();
  }

  /**
   * Graph answered 401 to a call made with this token: drop it from the cache it came from (app-only, or this
   * caller's on-behalf-of entry) so that the call's one retry and later requests get a new one — at most one new token
   * per GRAPH_TOKEN_MIN_REFETCH_SECONDS, callers getting the 502 meanwhile.
   *
   * @return true when this answer dropped the token (once per refused token, however many calls it refused)
   */
  public boolean refused(GraphCall call, AccessToken token, GraphResponse answer) {
    TokenCache.Refusal refusal = new TokenCache.Refusal(token, answer.errorCode(), answer.requestId());
    return cacheOf(call).map(cache -> cache.refused(refusal)).orElse(false);
  }

  /**
   * Graph answered 403 to an app-only call: a permission granted since this token was issued (admin consent) is only
   * in a new token, so later requests get one — at most once per {@link #CONSENT_RENEWAL}, however many are refused.
   */
  public boolean forbidden(GraphCall call, AccessToken token) {
    return call.onBehalfOf().isEmpty() && appOnly.renewAtMostEvery(CONSENT_RENEWAL, token);
  }

  /** Graph accepted this token (any answer but 401). */
  public void accepted(GraphCall call, AccessToken token) {
    if (call.onBehalfOf().isEmpty()) {
      appOnly.accepted(token);
    }
  }

  /** A 401 from Graph that no app-only token fetched since has overcome; for the health check. */
  public Optional<TokenCache.Refusal> appOnlyRefusal() {
    return appOnly.unresolvedRefusal();
  }

  private Optional<TokenCache> cacheOf(GraphCall call) {
    if (call.onBehalfOf().isEmpty()) {
      return Optional.of(appOnly);
    }
    Optional<String> key = call.onBehalfOf().get().assertion().map(assertion -> sha256(assertion.value()));
    synchronized (onBehalfOf) {
      return key.map(onBehalfOf::get);
    }
  }

  /** Token requests made to the identity provider so far (for health and benchmarks). */
  public int requestCount() {
    return requests.get();
  }

  /** A cache whose tokens Graph may refuse: after a refusal, one new token per GRAPH_TOKEN_MIN_REFETCH_SECONDS. */
  private TokenCache cache(Supplier<Future<AccessToken>> fetch, boolean onBehalfOf) {
    return new TokenCache(fetch, Clock.systemUTC(), new TokenCache.RefetchFloor(minRefetch,
        (refusal, wait) -> GraphErrors.tokenRefusedRecently(onBehalfOf, refusal, wait, minRefetch)));
  }

  private Supplier<Future<AccessToken>> counted(Supplier<Future<AccessToken>> fetch) {
    return () -> {
      requests.incrementAndGet();
      return fetch.get();
    };
  }

  private static String sha256(String value) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
          .digest(value.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
