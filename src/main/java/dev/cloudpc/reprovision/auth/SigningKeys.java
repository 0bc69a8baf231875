package dev.cloudpc.reprovision.auth;

import dev.cloudpc.reprovision.config.UserAgent;
import dev.cloudpc.reprovision.request.Problem;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.NoSuchKeyIdException;
import io.vertx.ext.auth.User;
import io.vertx.ext.auth.authentication.TokenCredentials;
import io.vertx.ext.auth.oauth2.OAuth2Auth;
import io.vertx.ext.auth.oauth2.OAuth2Options;
import io.vertx.ext.auth.oauth2.providers.OpenIDConnectAuth;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The tenant's signing keys and the RS256 check of a caller token, both done by vertx-auth-oauth2: OpenID discovery of
 * {@code {authority}/{tenant}/v2.0} (the library checks the document's issuer), the JWK set from its
 * {@code jwks_uri} (the library refreshes it at the set's max-age) and {@code OAuth2Auth.authenticate}.
 * Kept here: an unknown {@code kid} causes one refetch shared by all waiters, at most one per {@code minRefetch}
 * (the start-up fetch does not count), and whatever cannot be checked now is a 503 with Retry-After, never a verdict.
 */
public final class SigningKeys {
  private static final Logger LOG = LoggerFactory.getLogger(SigningKeys.class);
  private static final Duration FAILURE_BACKOFF = Duration.ofSeconds(1);
  private static final int TIMEOUT_MS = 10_000;
  static final long RETRY_AFTER_SECONDS = 5;

  private final Vertx vertx;
  private final TokenOptions tokens;
  private final long minRefetchNanos;
  private final AtomicReference<Future<OAuth2Auth>> discovering = new AtomicReference<>();
  private final AtomicReference<Future<Void>> refetching = new AtomicReference<>();
  private final AtomicInteger fetches = new AtomicInteger();
  private final AtomicInteger generation = new AtomicInteger();
  private volatile OAuth2Auth provider;
  /** The deployment that owns the provider's HTTP client (see {@link #discover()}); undeployed by {@link #close()}. */
  private volatile String providerDeployment;
  private volatile long lastDiscoveryNanos = System.nanoTime() - Duration.ofDays(1).toNanos();
  private volatile long lastRefetchNanos = System.nanoTime() - Duration.ofDays(1).toNanos();
  private volatile String lastFailure;

  private SigningKeys(Vertx vertx, TokenOptions options) {
    this.vertx = vertx;
    this.tokens = options;
    this.minRefetchNanos = Duration.ofSeconds(tokens.jwksMinRefreshSeconds()).toNanos();
  }

  /** Not fetched yet: the first use (or {@link #ensureKeys()} at start-up) discovers and fetches. */
  public static SigningKeys create(Vertx vertx, TokenOptions options) {
    return new SigningKeys(vertx, options);
  }

  /**
   * The library's verdict on {@code token}: a user whose {@code accessToken} attribute holds the verified claims, or a
   * failure — a {@link NoSuchKeyIdException} when the kid is unknown even after a refetch, a 503 problem when the keys
   * cannot be fetched now.
   */
  Future<User> authenticate(String token) {
    return provider().compose(auth -> {
      int keySet = generation.get();
      return auth.authenticate(new TokenCredentials(token))
          // The library's missingKeyHandler is fire-and-forget: the request could not wait for the refetch it causes.
          // A refetch that finished while this token was being checked already holds the new keys: use them.
          .recover(failure -> !(failure instanceof NoSuchKeyIdException) ? Future.failedFuture(failure)
              : (generation.get() != keySet ? Future.<Void>succeededFuture() : refetch())
                  .compose(fetched -> auth.authenticate(new TokenCredentials(token))));
    });
  }

  /** Bumped whenever a refetch brought a new key set: signatures verified before are verified again. */
  int generation() {
    return generation.get();
  }

  /** Fetches now if no key set is held (start-up, health); a failure is remembered and reported, not retried. */
  public Future<Void> ensureKeys() {
    return provider().mapEmpty();
  }

  /** Why the last fetch failed, or null; for the health check. */
  public String lastFailure() {
    return lastFailure;
  }

  public int fetchCount() {
    return fetches.get();
  }

  /** Stops the library's periodic key-set refresh and releases the provider's HTTP client. */
  public Future<Void> close() {
    OAuth2Auth current = provider;
    if (current != null) {
      current.close(); // cancels the library's periodic key-set refresh, but leaves its HTTP client open
    }
    String deployment = providerDeployment;
    return deployment == null ? Future.succeededFuture() : vertx.undeploy(deployment);
  }

  private Future<OAuth2Auth> provider() {
    OAuth2Auth current = provider;
    if (current != null) {
      return Future.succeededFuture(current);
    }
    Future<OAuth2Auth> running = discovering.get();
    if (running == null && System.nanoTime() - lastDiscoveryNanos < FAILURE_BACKOFF.toNanos()) {
      return Future.failedFuture(unavailable(RETRY_AFTER_SECONDS).exception());
    }
    return (running != null ? running : singleFlight(discovering, () -> {
      lastDiscoveryNanos = System.nanoTime();
      return discover().onSuccess(auth -> provider = auth);
    })).recover(failure -> Future.failedFuture(unavailable(RETRY_AFTER_SECONDS).exception()));
  }

  /** One refetch for all concurrent unknown-kid lookups, and none sooner than minRefetch after the last one. */
  private Future<Void> refetch() {
    Future<Void> running = refetching.get();
    long wait = lastRefetchNanos + minRefetchNanos - System.nanoTime();
    if (running == null && wait > 0) {
      // The kid may be a key the tenant has just started using: "cannot check now", not "invalid token".
      return Future.failedFuture(unavailable(TimeUnit.NANOSECONDS.toSeconds(wait) + 1).exception());
    }
    return (running != null ? running : singleFlight(refetching, () -> {
      lastRefetchNanos = System.nanoTime();
      return provider.jWKSet().onSuccess(fetched -> generation.incrementAndGet());
    })).recover(failure -> Future.failedFuture(unavailable(RETRY_AFTER_SECONDS).exception()));
  }

  private <T> Future<T> singleFlight(AtomicReference<Future<T>> slot, Supplier<Future<T>> fetch) {
    while (true) {
      Future<T> running = slot.get();
      if (running != null) {
        return running;
      }
      Promise<T> promise = Promise.promise();
      if (slot.compareAndSet(null, promise.future())) {
        fetches.incrementAndGet();
        fetch.get().onComplete(ar -> {
          lastFailure = ar.succeeded() ? null : String.valueOf(ar.cause().getMessage());
          if (ar.failed()) {
            LOG.warn("signing keys could not be fetched from {}: {}", tokens.openIdConfiguration(), lastFailure);
          }
          slot.set(null);
          promise.handle(ar);
        });
        return promise.future();
      }
    }
  }

  /**
   * Discovery runs inside a deployment of its own, so that every HTTP client the library creates meanwhile belongs to
   * it: a verticle's HTTP clients are closed when it is undeployed (Vert.x core manual, "Automatic clean-up in
   * verticles"). That matters when the discovery fails: {@code OpenIDConnectAuth.discover} closes its discovery client,
   * but when the JWK set then cannot be fetched it drops the provider it has just built — with an HTTP client of its
   * own ({@code OAuth2API}) — without closing it, and {@code OAuth2Auth.close()} would not close it either. A failed
   * discovery undeploys its deployment; the one of the provider in use lives until {@link #close()}.
   */
  private Future<OAuth2Auth> discover() {
    Promise<OAuth2Auth> discovered = Promise.promise();
    return vertx.deployVerticle(new VerticleBase() {
          @Override
          public Future<?> start() {
            discoverInThisDeployment().onComplete(discovered);
            return Future.succeededFuture();
          }
        })
        .compose(deployment -> discovered.future().transform(result -> {
          if (result.succeeded()) {
            providerDeployment = deployment;
            return Future.succeededFuture(result.result());
          }
          return vertx.undeploy(deployment).transform(undeployed -> Future.failedFuture(result.cause()));
        }));
  }

  private Future<OAuth2Auth> discoverInThisDeployment() {
    OAuth2Options options = new OAuth2Options()
        .setSite(tokens.v2Issuer()) // the library checks that the document names exactly this issuer
        .setClientId(tokens.clientId())
        .setUserAgent(UserAgent.VALUE)
        .setHttpClientOptions(new HttpClientOptions().setConnectTimeout(TIMEOUT_MS)
            .setIdleTimeout(TIMEOUT_MS).setIdleTimeoutUnit(TimeUnit.MILLISECONDS))
        .setJWTOptions(new JWTOptions()
            .setLeeway((int) TokenVerifier.CLOCK_SKEW.toSeconds())
            .setAudience(tokens.audiences()));
    return OpenIDConnectAuth.discover(vertx, options).compose(auth -> {
      // discover() fills in these options, and the provider reads them on every authenticate (OAuth2AuthProviderImpl):
      // no userinfo or introspection fallback for a token the local checks refused, and no single issuer — the
      // token verifier accepts the v2 and the v1 issuer.
      options.setUserInfoPath(null).setIntrospectionPath(null);
      options.getJWTOptions().setIssuer(null);
      String jwks = options.getJwkPath();
      if (jwks == null || !(jwks.startsWith("https://") || isLoopbackHttp(jwks))) {
        auth.close();
        return Future.failedFuture("the OpenID configuration has no usable jwks_uri");
      }
      return Future.succeededFuture(auth);
    });
  }

  private static boolean isLoopbackHttp(String url) {
    return url.startsWith("http://127.") || url.startsWith("http://localhost") || url.startsWith("http://[::1]");
  }

  private Problem unavailable(long retryAfterSeconds) {
    return Problem.unavailable("signing-keys-unavailable", "The caller's token cannot be checked now: "
        + (lastFailure != null ? "the tenant's signing keys could not be fetched from "
            + tokens.openIdConfiguration() + " (" + lastFailure + ")"
            : "it names a signing key the tenant had not published when its keys were fetched moments ago, and they "
                + "are fetched again at most every AUTH_JWKS_MIN_REFRESH_SECONDS")
        + ". Nothing was changed. Try again shortly; if it persists, check AZURE_AUTHORITY_HOST and AZURE_TENANT_ID.",
        retryAfterSeconds);
  }
}
