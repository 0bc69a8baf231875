package dev.cloudpc.reprovision.store;

import static dev.cloudpc.reprovision.support.Await.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.cloudpc.reprovision.config.ManagedIdentity;
import dev.cloudpc.reprovision.config.Secret;
import dev.cloudpc.reprovision.graph.AccessToken;
import dev.cloudpc.reprovision.graph.ManagedIdentityEndpoint;
import dev.cloudpc.reprovision.graph.TokenCache;
import dev.cloudpc.reprovision.request.ProblemException;
import dev.cloudpc.reprovision.sandbox.SandboxIdentity;
import dev.cloudpc.reprovision.sandbox.SandboxTenant;
import dev.cloudpc.reprovision.support.Eventually;
import dev.cloudpc.reprovision.support.StrictVertxTest;
import dev.cloudpc.reprovision.support.TestClock;
import dev.cloudpc.reprovision.support.TestStack;
import dev.cloudpc.reprovision.telemetry.Telemetry;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Optional;
import java.util.function.BiFunction;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The managed identity endpoint (the sandbox's, with injected failures) fails for a while: the Graph token and the
 * Azure Storage token keep being served while valid — renewal is tried in the background — and only once no valid
 * token is left do callers get a 503 with Retry-After; when the endpoint is back, a new token comes. Time is a
 * {@link TestClock}: the tokens' hour passes without waiting.
 */
class ManagedIdentityOutageTest extends StrictVertxTest {
  private static SandboxTenant tenant;
  private static WebClient web;
  private final TestClock clock = TestClock.atRealTime();

  /** The two tokens the function asks the managed identity for, as the product builds their caches. */
  enum Resource {
    GRAPH((identity, clock) -> {
      ManagedIdentityEndpoint endpoint = new ManagedIdentityEndpoint(web, identity,
          tenant.identity().graphAudience(), Optional.empty(), ManagedIdentity.CLIENT_ID_SETTING,
          Duration.ofSeconds(5), Telemetry.none());
      TokenCache cache = new TokenCache(endpoint::token, clock);
      return () -> cache.get().map(AccessToken::value);
    }),
    AZURE_STORAGE((identity, clock) -> {
      StorageToken token = new StorageToken(web, identity, Optional.empty(), clock, Telemetry.none());
      return token::get;
    });

    private final BiFunction<ManagedIdentity, TestClock, Supplier<Future<String>>> source;

    Resource(BiFunction<ManagedIdentity, TestClock, Supplier<Future<String>>> source) {
      this.source = source;
    }
  }

  @BeforeAll
  static void start() {
    tenant = TestStack.startTenant(vertx);
    web = WebClient.create(vertx);
  }

  @AfterAll
  static void stop() {
    web.close();
    await(tenant.close());
  }

  @AfterEach
  void recover() {
    identity().clearTokenFailures();
  }

  private static SandboxIdentity identity() {
    return tenant.identity();
  }

  @ParameterizedTest
  @EnumSource(Resource.class)
  void aValidTokenOutlastsAnIdentityOutageThen503UntilTheEndpointIsBack(Resource resource) {
    ManagedIdentity managedIdentity = new ManagedIdentity(Optional.of(identity().msiEndpoint()),
        Optional.of(new Secret(identity().identityHeader())), Optional.empty());
    Supplier<Future<String>> tokens = resource.source.apply(managedIdentity, clock);
    int before = identity().tokenRequests();

    String first = await(tokens.get());
    Instant expiresAt = expiry(first);
    identity().failTokenRequests(503, new JsonObject().put("error", "temporarily_unavailable"));

    clock.moveTo(expiresAt.minus(Duration.ofMinutes(4)));
    assertThat(await(tokens.get())).as("inside the renewal window, the endpoint down").isEqualTo(first);
    await(Eventually.until(vertx, () -> identity().tokenRequests() == before + 2));
    clock.advance(Duration.ofMinutes(3));
    for (int i = 0; i < 20; i++) {
      assertThat(await(tokens.get())).isEqualTo(first);
    }
    assertThat(identity().tokenRequests()).as("renewal tried in the background, not per caller")
        .isLessThanOrEqualTo(before + 3);

    clock.moveTo(expiresAt.minusSeconds(10));
    ProblemException outage = (ProblemException) await(tokens.get().<Throwable>transform(ar -> ar.failed()
        ? Future.succeededFuture(ar.cause()) : Future.failedFuture("a token past its expiry margin was served")));
    assertThat(outage.problem().status()).isEqualTo(503);
    assertThat(outage.problem().slug()).isEqualTo("identity-provider-unavailable");
    assertThat(outage.problem().headers()).containsKey("Retry-After");

    identity().clearTokenFailures();
    clock.advance(Duration.ofSeconds(2));
    assertThat(await(tokens.get())).as("a new token once the endpoint is back").isNotEqualTo(first);
  }

  private static Instant expiry(String jwt) {
    JsonObject claims = new JsonObject(new String(Base64.getUrlDecoder().decode(jwt.split("\\.")[1]),
        StandardCharsets.UTF_8));
    return Instant.ofEpochSecond(claims.getLong("exp"));
  }
}
