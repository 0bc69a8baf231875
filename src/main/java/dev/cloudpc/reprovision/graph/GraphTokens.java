package dev.cloudpc.reprovision.graph;

import dev.cloudpc.reprovision.auth.Caller;
import dev.cloudpc.reprovision.auth.TokenVerifier;
import dev.cloudpc.reprovision.config.GraphCredentialKind;
import dev.cloudpc.reprovision.config.Settings;
import dev.cloudpc.reprovision.http.Problem;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.ext.web.client.WebClient;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * Graph tokens for the configured credential: one cached app-only token (client secret or managed identity), and
 * with on-behalf-of a bounded cache of exchanged tokens keyed by a hash of the caller's assertion.
 */
public final class GraphTokens {
  private static final int MAX_DELEGATED = 1024;

  private final boolean delegated;
  private final TokenCache appOnly;
  private final EntraTokenEndpoint entra;
  private final AtomicInteger requests = new AtomicInteger();
  private final Map<String, TokenCache> onBehalfOf = new LinkedHashMap<>(64, 0.75f, true) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<String, TokenCache> eldest) {
      return size() > MAX_DELEGATED;
    }
  };

  public GraphTokens(Vertx vertx, WebClient web, Settings settings) {
    this.entra = new EntraTokenEndpoint(vertx, settings);
    this.delegated = settings.graphCredential() == GraphCredentialKind.ON_BEHALF_OF;
    boolean managedIdentity = settings.graphCredential() == GraphCredentialKind.MANAGED_IDENTITY
        || (delegated && settings.identityEndpoint().isPresent() && settings.identityHeader().isPresent());
    if (managedIdentity) {
      ManagedIdentityEndpoint endpoint = new ManagedIdentityEndpoint(web, settings);
      this.appOnly = new TokenCache(counted(endpoint::token));
    } else {
      this.appOnly = new TokenCache(counted(entra::clientCredentials));
    }
  }

  /** With on-behalf-of, the me/users routes use Graph's own delegated routes so Graph enforces the user's rights. */
  public boolean delegatedUserRoutes() {
    return delegated;
  }

  public Future<AccessToken> appOnly() {
    return appOnly.get();
  }

  public Future<AccessToken> onBehalfOf(Caller caller) {
    if (caller.assertion().isEmpty()) {
      return Future.failedFuture(Problem.unauthorized("GRAPH_CREDENTIAL is on-behalf-of, which needs the caller's "
          + "own bearer token to act for them; send 'Authorization: Bearer <token>'.")
          .withHeader("WWW-Authenticate", TokenVerifier.wwwAuthenticate("on-behalf-of needs the caller's bearer token"))
          .exception());
    }
    String assertion = caller.assertion().get().value();
    TokenCache cache;
    synchronized (onBehalfOf) {
      cache = onBehalfOf.computeIfAbsent(sha256(assertion),
          k -> new TokenCache(counted(() -> entra.onBehalfOf(assertion))));
    }
    return cache.get();
  }

  public boolean healthy() {
    return appOnly.healthy();
  }

  /** Token requests made to the identity provider so far (for health and benchmarks). */
  public int requestCount() {
    return requests.get();
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
