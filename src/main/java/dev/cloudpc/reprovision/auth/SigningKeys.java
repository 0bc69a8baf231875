package dev.cloudpc.reprovision.auth;

import dev.cloudpc.reprovision.http.Problem;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import java.math.BigInteger;
import java.net.URI;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.spec.RSAPublicKeySpec;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The tenant's token-signing keys, from its OpenID configuration's {@code jwks_uri}. Keys are cached; an unknown
 * {@code kid} triggers one refetch shared by all concurrent waiters and at most one per {@code minRefetch}, so a flood
 * of made-up kids cannot hammer the identity provider. When the key set cannot be fetched, a kid it would have to
 * hold fails closed with 503 (Retry-After), never with a verdict on the token.
 */
public final class SigningKeys {
  private static final Logger LOG = LoggerFactory.getLogger(SigningKeys.class);
  private static final Duration MAX_AGE = Duration.ofHours(24);
  private static final Duration FAILURE_BACKOFF = Duration.ofSeconds(1);
  private static final long FETCH_TIMEOUT_MS = 10_000;
  static final long RETRY_AFTER_SECONDS = 5;

  private final WebClient web;
  private final URI discovery;
  private final String expectedIssuer;
  private final long minRefetchNanos;
  private final AtomicReference<Future<Map<String, PublicKey>>> inFlight = new AtomicReference<>();
  private final AtomicInteger fetches = new AtomicInteger();
  private volatile Map<String, PublicKey> keys = Map.of();
  private volatile long fetchedAtNanos;
  private volatile long lastAttemptNanos = System.nanoTime() - Duration.ofDays(1).toNanos();
  private volatile String lastFailure;

  public SigningKeys(WebClient web, URI discovery, String expectedIssuer, Duration minRefetch) {
    this.web = web;
    this.discovery = discovery;
    this.expectedIssuer = expectedIssuer;
    this.minRefetchNanos = minRefetch.toNanos();
  }

  /** The key for {@code kid}, refetching the key set once if it is unknown. */
  public Future<PublicKey> key(String kid) {
    PublicKey known = keys.get(kid);
    long now = System.nanoTime();
    if (known != null) {
      if (now - fetchedAtNanos > MAX_AGE.toNanos()) {
        refresh(); // serve the cached key while a fresh set is fetched: revoked keys drop out within a day
      }
      return Future.succeededFuture(known);
    }
    Future<Map<String, PublicKey>> running = inFlight.get();
    if (running == null) {
      long sinceAttempt = now - lastAttemptNanos;
      if (!keys.isEmpty() && sinceAttempt < minRefetchNanos) {
        return Future.failedFuture(lastFailure == null ? unknownKid(kid) : unavailable().exception());
      }
      if (keys.isEmpty() && sinceAttempt < FAILURE_BACKOFF.toNanos()) {
        return Future.failedFuture(unavailable().exception());
      }
      running = refresh();
    }
    return running.transform(ar -> {
      if (ar.failed()) {
        // The kid may well be a key the tenant just rotated to: "cannot check now" (503), not "invalid token".
        return Future.failedFuture(unavailable().exception());
      }
      PublicKey key = keys.get(kid);
      return key != null ? Future.succeededFuture(key) : Future.failedFuture(unknownKid(kid));
    });
  }

  /** Fetches the key set now unless a fetch is already running; concurrent callers share one fetch. */
  public Future<Map<String, PublicKey>> refresh() {
    while (true) {
      Future<Map<String, PublicKey>> running = inFlight.get();
      if (running != null) {
        return running;
      }
      Promise<Map<String, PublicKey>> promise = Promise.promise();
      if (inFlight.compareAndSet(null, promise.future())) {
        lastAttemptNanos = System.nanoTime();
        fetches.incrementAndGet();
        fetch().onComplete(ar -> {
          if (ar.succeeded()) {
            keys = ar.result();
            fetchedAtNanos = System.nanoTime();
            lastFailure = null;
          } else {
            lastFailure = ar.cause().getMessage();
            LOG.warn("signing keys could not be fetched from {}: {}", discovery, lastFailure);
          }
          inFlight.set(null);
          promise.handle(ar);
        });
        return promise.future();
      }
    }
  }

  /**
   * For the health check: the cached keys if any, else a fetch — but no more often than after a failure a request
   * would cause one, so an anonymous probe cannot be used to hammer an identity provider that is down.
   */
  public Future<Void> ensureKeys() {
    if (!keys.isEmpty()) {
      return Future.succeededFuture();
    }
    Future<Map<String, PublicKey>> running = inFlight.get();
    if (running == null && System.nanoTime() - lastAttemptNanos < FAILURE_BACKOFF.toNanos()) {
      return Future.failedFuture(lastFailure == null ? "signing keys are being fetched" : lastFailure);
    }
    return (running != null ? running : refresh()).mapEmpty();
  }

  /** Why the last fetch failed, or null; for the health check. */
  public String lastFailure() {
    return lastFailure;
  }

  public int fetchCount() {
    return fetches.get();
  }

  private Future<Map<String, PublicKey>> fetch() {
    return getJson(discovery.toString()).compose(config -> {
      String issuer = config.getString("issuer");
      if (!expectedIssuer.equals(issuer)) {
        return Future.failedFuture("the OpenID configuration names issuer '" + issuer + "', expected '"
            + expectedIssuer + "' (check AZURE_TENANT_ID and AZURE_AUTHORITY_HOST)");
      }
      String jwksUri = config.getString("jwks_uri");
      if (jwksUri == null || !(jwksUri.startsWith("https://") || isLoopbackHttp(jwksUri))) {
        return Future.failedFuture("the OpenID configuration has no usable jwks_uri");
      }
      return getJson(jwksUri);
    }).compose(jwks -> {
      Map<String, PublicKey> parsed = parse(jwks.getJsonArray("keys", new JsonArray()));
      return parsed.isEmpty() ? Future.failedFuture("the key set holds no RSA signing key")
          : Future.succeededFuture(Map.copyOf(parsed));
    });
  }

  private Future<JsonObject> getJson(String url) {
    return web.getAbs(url).timeout(FETCH_TIMEOUT_MS).putHeader("Accept", "application/json").send()
        .compose(SigningKeys::jsonBody);
  }

  private static Future<JsonObject> jsonBody(HttpResponse<Buffer> response) {
    if (response.statusCode() != 200) {
      return Future.failedFuture("HTTP " + response.statusCode());
    }
    try {
      return Future.succeededFuture(response.bodyAsJsonObject());
    } catch (RuntimeException e) {
      return Future.failedFuture("the answer is not JSON");
    }
  }

  private static Map<String, PublicKey> parse(JsonArray jwks) {
    Map<String, PublicKey> parsed = new HashMap<>();
    for (Object entry : jwks) {
      if (!(entry instanceof JsonObject jwk) || !"RSA".equals(jwk.getString("kty"))
          || !"sig".equals(jwk.getString("use", "sig")) || jwk.getString("kid") == null) {
        continue;
      }
      try {
        Base64.Decoder decoder = Base64.getUrlDecoder();
        var spec = new RSAPublicKeySpec(new BigInteger(1, decoder.decode(jwk.getString("n"))),
            new BigInteger(1, decoder.decode(jwk.getString("e"))));
        parsed.put(jwk.getString("kid"), KeyFactory.getInstance("RSA").generatePublic(spec));
      } catch (GeneralSecurityException | RuntimeException e) {
        LOG.warn("skipping unusable signing key {}", jwk.getString("kid"));
      }
    }
    return parsed;
  }

  private static boolean isLoopbackHttp(String url) {
    return url.startsWith("http://127.") || url.startsWith("http://localhost") || url.startsWith("http://[::1]");
  }

  private static RuntimeException unknownKid(String kid) {
    return TokenVerifier.invalid("the token was signed with key '" + kid + "', which is not one of the tenant's "
        + "current signing keys");
  }

  private Problem unavailable() {
    return Problem.unavailable("signing-keys-unavailable", "The caller's token cannot be validated: the tenant's "
        + "signing keys could not be fetched from " + discovery + (lastFailure == null ? "" : " (" + lastFailure + ")")
        + ". Nothing was changed. Try again shortly; if it persists, check AZURE_AUTHORITY_HOST and AZURE_TENANT_ID.",
        RETRY_AFTER_SECONDS);
  }
}
