package dev.cloudpc.reprovision.auth;

import static dev.cloudpc.reprovision.support.Await.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.cloudpc.reprovision.config.Settings;
import dev.cloudpc.reprovision.request.Problem;
import dev.cloudpc.reprovision.request.ProblemException;
import dev.cloudpc.reprovision.sandbox.SandboxIdentity;
import dev.cloudpc.reprovision.sandbox.SandboxSeed;
import dev.cloudpc.reprovision.support.Eventually;
import dev.cloudpc.reprovision.support.StrictVertxTest;
import dev.cloudpc.reprovision.support.TestStack;
import io.vertx.core.CompositeFuture;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxTestContext;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.interfaces.RSAPublicKey;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The caller-token signing keys over time: a rotated key is picked up with exactly one JWKS fetch, shared by all
 * concurrent callers; made-up kids cannot make the app hammer the identity provider; and when the keys cannot be
 * fetched the app fails closed with 503 and Retry-After rather than letting anything through.
 */
class KeyRotationTest extends StrictVertxTest {
  private static final String STATUS = "/api/cloudpcs/" + SandboxSeed.MEGAN_CLOUD_PCS.get(0);
  private static final String TENANT = "5b1f8c2e-7d4a-4e3b-9c6f-2a8d0e1b3c4f";
  private static final String CLIENT = "0f3e2d1c-4b5a-4c6d-8e7f-9a0b1c2d3e4f";
  private static final String CALLER_OID = "7e6d5c4b-3a29-4817-a6f5-e4d3c2b1a090";

  private static KeyPair idpKey;
  private static RawClient client;
  private final List<TestStack> stacks = new ArrayList<>();
  private final List<HttpServer> servers = new ArrayList<>();

  @BeforeAll
  static void start() throws GeneralSecurityException {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
    generator.initialize(2048);
    idpKey = generator.generateKeyPair();
    client = new RawClient(vertx, 64); // enough connections for the concurrent requests to be truly concurrent
  }

  @AfterAll
  static void stop() {
    await(client.close());
  }

  @AfterEach
  void closeStacks() {
    stacks.forEach(TestStack::close);
    servers.forEach(server -> await(server.close()));
  }

  @Test
  void theFirstTokenWithARotatedKidCausesExactlyOneJwksFetchAndIsAccepted(VertxTestContext test) {
    TestStack stack = stack(Map.of());
    SandboxIdentity identity = stack.tenant.identity();
    assertThat(await(status(stack, stack.adminToken())).status()).isEqualTo(200); // the current key is cached
    String oldKid = identity.currentKid();
    int fetches = identity.jwksRequests();
    await(identity.rotateKey());
    String first = stack.adminToken();
    String second = stack.adminToken();
    assertThat(Jws.header(first).getString("kid")).isNotEqualTo(oldKid);

    status(stack, first).compose(a -> status(stack, second).map(b -> List.of(a, b)))
        .onComplete(test.succeeding(answers -> test.verify(() -> {
          assertThat(answers).extracting(RawClient.Answer::status).containsExactly(200, 200);
          assertThat(identity.jwksRequests()).as("JWKS fetches caused by the new kid").isEqualTo(fetches + 1);
          test.completeNow();
        })));
  }

  @Test
  void fiftyConcurrentTokensWithANewKidShareOneJwksFetch(VertxTestContext test) {
    TestStack stack = stack(Map.of());
    SandboxIdentity identity = stack.tenant.identity();
    assertThat(await(status(stack, stack.adminToken())).status()).isEqualTo(200);
    await(identity.rotateKey());
    List<String> tokens = IntStream.range(0, 50).mapToObj(i -> stack.adminToken()).toList();
    int fetches = identity.jwksRequests();
    int appFetches = stack.app.signingKeyFetches();

    Future.all(tokens.stream().map(token -> status(stack, token)).toList())
        .onComplete(test.succeeding(all -> test.verify(() -> {
          assertThat(answers(all)).extracting(RawClient.Answer::status).containsOnly(200);
          assertThat(identity.jwksRequests()).as("JWKS fetches for 50 concurrent new-kid tokens")
              .isEqualTo(fetches + 1);
          assertThat(stack.app.signingKeyFetches()).isEqualTo(appFetches + 1);
          test.completeNow();
        })));
  }

  @Test
  void aFloodOfMadeUpKidsIsRefusedWithAtMostOneJwksFetch(VertxTestContext test) {
    TestStack stack = stack(Map.of("AUTH_JWKS_MIN_REFRESH_SECONDS", "60"));
    SandboxIdentity identity = stack.tenant.identity();
    String admin = stack.adminToken();
    assertThat(await(status(stack, admin)).status()).isEqualTo(200);
    JsonObject claims = Jws.claims(admin);
    List<String> flood = IntStream.range(0, 200).mapToObj(i -> identity.mint(new JsonObject().put("alg", "RS256")
        .put("typ", "JWT").put("kid", UUID.randomUUID().toString()), claims)).toList();
    stack.tenant.graph().reset();
    int fetches = identity.jwksRequests();

    Future.all(flood.stream().map(token -> status(stack, token)).toList())
        .onSuccess(all -> test.verify(() -> assertThat(stack.tenant.graph().requests())
            .as("Graph requests during the flood").isEmpty()))
        .compose(all -> status(stack, admin).map(after -> List.of(all, after)))
        .onComplete(test.succeeding(results -> test.verify(() -> {
          List<RawClient.Answer> refused = answers((CompositeFuture) results.get(0));
          // Checked against the one refetch: 401. Arrived after it, within the limit: 503 "cannot check now".
          assertThat(refused).allSatisfy(answer -> {
            assertThat(answer.header("Content-Type")).isEqualTo(Problem.CONTENT_TYPE);
            if (answer.status() == 401) {
              assertThat(answer.header("WWW-Authenticate")).startsWith("Bearer error=\"invalid_token\"");
              assertThat(answer.json().getString("detail")).contains("not one of the tenant's current signing keys");
            } else {
              assertThat(answer.status()).isEqualTo(503);
              assertThat(Integer.parseInt(answer.header("Retry-After"))).isBetween(1, 61);
            }
          });
          assertThat(refused).extracting(RawClient.Answer::status).contains(401);
          assertThat(identity.jwksRequests() - fetches).as("JWKS fetches caused by 200 made-up kids")
              .isLessThanOrEqualTo(1);
          assertThat(((RawClient.Answer) results.get(1)).status()).as("a valid token after the flood")
              .isEqualTo(200);
          test.completeNow();
        })));
  }

  @Test
  void unreachableSigningKeysFailClosedWith503AndRetryAfter(VertxTestContext test) {
    TestStack stack = stack(Map.of("AZURE_AUTHORITY_HOST", "http://127.0.0.1:" + closedPort()));
    String admin = stack.adminToken();
    // At once (within the failure back-off), after the back-off (a new fetch that fails), and a burst.
    Future<List<RawClient.Answer>> answers = status(stack, admin)
        .compose(first -> vertx.timer(1_100).compose(v -> status(stack, admin)).map(second -> List.of(first, second)))
        .compose(two -> Future.all(IntStream.range(0, 20).mapToObj(i -> status(stack, admin)).toList())
            .map(burst -> {
              List<RawClient.Answer> all = new ArrayList<>(two);
              all.addAll(answers(burst));
              return all;
            }));
    answers.onComplete(test.succeeding(all -> test.verify(() -> {
      assertThat(all).hasSize(22).allSatisfy(answer -> {
        assertThat(answer.status()).isEqualTo(503);
        assertThat(answer.header("Content-Type")).isEqualTo(Problem.CONTENT_TYPE);
        assertThat(Integer.parseInt(answer.header("Retry-After"))).isPositive();
        JsonObject problem = answer.json();
        assertThat(problem.getString("type")).endsWith(":signing-keys-unavailable");
        assertThat(problem.getString("detail")).contains("signing keys").doesNotContain(admin);
      });
      assertThat(stack.tenant.graph().requests()).as("Graph requests").isEmpty();
      test.completeNow();
    })));
  }

  /** The case: the tenant starts signing with a new key seconds after start-up; the first use is accepted. */
  @Test
  void aKeyPublishedRightAfterStartUpIsAcceptedOnFirstUseAndTheNextRefetchWaitsForTheLimit(VertxTestContext test) {
    TestStack stack = stack(Map.of("AUTH_JWKS_MIN_REFRESH_SECONDS", "300"));
    SandboxIdentity identity = stack.tenant.identity();
    assertThat(await(status(stack, stack.adminToken())).status()).isEqualTo(200); // after the start-up fetch
    int fetches = identity.jwksRequests();
    await(identity.rotateKey());
    String rotated = stack.adminToken();
    status(stack, rotated)
        .compose(first -> identity.rotateKey().compose(v -> status(stack, stack.adminToken()))
            .map(second -> List.of(first, second)))
        .onComplete(test.succeeding(answers -> test.verify(() -> {
          assertThat(answers.get(0).status()).as("a key published after the start-up fetch").isEqualTo(200);
          RawClient.Answer limited = answers.get(1);
          assertThat(limited.status()).as("a second new key within the refetch limit").isEqualTo(503);
          assertThat(Integer.parseInt(limited.header("Retry-After"))).isBetween(1, 301);
          assertThat(limited.json().getString("detail")).contains("cannot be checked now")
              .contains("AUTH_JWKS_MIN_REFRESH_SECONDS");
          assertThat(identity.jwksRequests()).as("JWKS fetches after start-up").isEqualTo(fetches + 1);
          test.completeNow();
        })));
  }

  /**
   * Single flight, shown where timing cannot hide it: the JWKS answer takes 300 ms and all 50 tokens are checked
   * before it can arrive, so any second fetch would be seen.
   */
  @Test
  void whileASlowJwksFetchIsUnderWayEveryLookupWaitsForIt(VertxTestContext test) {
    AtomicInteger served = new AtomicInteger();
    HttpServer idp = identityProvider(request -> {
      served.incrementAndGet();
      vertx.setTimer(300, t -> request.response().putHeader("Content-Type", "application/json")
          .end(jwks("slow-kid").encode()));
    });
    TokenVerifier verifier = verifier(settings(idp, 0));
    String token = token(idp, "slow-kid", new JsonObject());
    vertx.runOnContext(v -> Future.all(IntStream.range(0, 50).mapToObj(i -> verifier.verify(token)).toList())
        .onComplete(test.succeeding(all -> test.verify(() -> {
          assertThat(all.<Caller>list()).extracting(Caller::objectId).containsOnly(CALLER_OID);
          assertThat(served).as("JWKS requests for 50 concurrent checks").hasValue(1);
          test.completeNow();
        }))));
  }

  /** A kid the cached set lacks while the identity provider is down may be a real new key: 503, not 401. */
  @Test
  void anUnknownKidThatCannotBeCheckedIs503AndTheCachedKeysKeepWorking(VertxTestContext test) {
    AtomicInteger served = new AtomicInteger();
    HttpServer idp = identityProvider(request -> {
      if (served.getAndIncrement() == 0) {
        request.response().putHeader("Content-Type", "application/json").end(jwks("cached-kid").encode());
      } else {
        request.response().setStatusCode(500).end();
      }
    });
    TokenVerifier verifier = verifier(settings(idp, 0));
    String cached = token(idp, "cached-kid", new JsonObject());
    verifier.verify(cached)
        .compose(first -> verifier.verify(token(idp, "rotated-kid", new JsonObject())).transform(Future::succeededFuture))
        .compose(rotated -> verifier.verify(cached).map(again -> rotated))
        .onComplete(test.succeeding(rotated -> test.verify(() -> {
          assertThat(rotated.failed()).isTrue();
          Problem problem = ((ProblemException) rotated.cause()).problem();
          assertThat(problem.status()).isEqualTo(503);
          assertThat(problem.headers()).containsKey("Retry-After");
          assertThat(served).as("the start-up fetch and one refetch").hasValue(2);
          test.completeNow();
        })));
  }

  /**
   * No userinfo or introspection fallback (OAuth2AuthProviderImpl.authenticate would use either when the local checks
   * fail): a tenant-signed token for Graph's audience is refused, and neither endpoint is ever called.
   */
  @Test
  void aTenantSignedTokenForGraphIsRefusedWithoutAskingUserinfoOrIntrospection(VertxTestContext test) {
    AtomicInteger asked = new AtomicInteger();
    HttpServer idp = identityProvider(request -> {
      if (request.path().endsWith("/keys")) {
        request.response().putHeader("Content-Type", "application/json").end(jwks("tenant-kid").encode());
      } else {
        asked.incrementAndGet(); // userinfo or introspection: would vouch for anything
        request.response().putHeader("Content-Type", "application/json").end(new JsonObject().put("active", true)
            .put("sub", "anyone").put("exp", Instant.now().getEpochSecond() + 3600).encode());
      }
    });
    TokenVerifier verifier = verifier(settings(idp, 0));
    String forGraph = token(idp, "tenant-kid", new JsonObject().put("aud", "https://graph.microsoft.com"));
    String noAudience = token(idp, "tenant-kid", new JsonObject().putNull("aud"));
    verifier.verify(forGraph).transform(Future::succeededFuture)
        .compose(graph -> verifier.verify(noAudience).transform(Future::succeededFuture)
            .map(none -> List.of(graph, none)))
        .onComplete(test.succeeding(results -> test.verify(() -> {
          assertThat(results).allSatisfy(result -> {
            assertThat(result.failed()).isTrue();
            Problem problem = ((ProblemException) result.cause()).problem();
            assertThat(problem.status()).isEqualTo(401);
            assertThat(problem.detail()).contains("audience");
          });
          assertThat(asked).as("userinfo / introspection requests").hasValue(0);
          test.completeNow();
        })));
  }

  /**
   * The discovery document is there but the JWK set fails: the library built a provider, with an HTTP client of its
   * own, before the key set failed, and OpenIDConnectAuth.discover drops it without closing that client. The discovery
   * must release it: every connection to the identity provider closes at once (a client left behind would keep its
   * pooled connection for its 10 s idle timeout), and no deployment stays behind.
   */
  @Test
  void aFailedDiscoveryLeavesNoHttpClientBehind(VertxTestContext test) {
    AtomicInteger open = new AtomicInteger();
    AtomicInteger keyRequests = new AtomicInteger();
    HttpServer idp = identityProvider(request -> {
      keyRequests.incrementAndGet();
      request.response().setStatusCode(500).end("the key set is unavailable");
    }, open);
    Set<String> deploymentsBefore = Set.copyOf(vertx.deploymentIDs());
    SigningKeys keys = SigningKeys.create(vertx, TokenOptions.from(settings(idp, 0)));
    keys.ensureKeys().transform(Future::succeededFuture)
        .compose(failed -> {
          test.verify(() -> {
            assertThat(failed.failed()).isTrue();
            assertThat(keyRequests).as("the library did fetch the key set").hasValue(1);
          });
          return Eventually.until(vertx, () -> open.get() == 0, Duration.ofSeconds(3));
        })
        .onComplete(test.succeeding(closed -> test.verify(() -> {
          assertThat(vertx.deploymentIDs()).containsExactlyInAnyOrderElementsOf(deploymentsBefore);
          test.completeNow();
        })));
  }

  private HttpServer identityProvider(Handler<HttpServerRequest> others) {
    return identityProvider(others, new AtomicInteger());
  }

  /**
   * An OpenID provider on loopback, laid out like Entra ({authority}/{tenant}/v2.0), whose discovery document also
   * names userinfo and introspection endpoints; everything but discovery goes to {@code others}. {@code open} counts
   * the connections open to it.
   */
  private HttpServer identityProvider(Handler<HttpServerRequest> others, AtomicInteger open) {
    HttpServer server = await(vertx.createHttpServer().connectionHandler(connection -> {
      open.incrementAndGet();
      connection.closeHandler(closed -> open.decrementAndGet());
    }).requestHandler(request -> {
      if (request.path().endsWith("/openid-configuration")) {
        String base = "http://127.0.0.1:" + request.localAddress().port();
        request.response().putHeader("Content-Type", "application/json").end(new JsonObject()
            .put("issuer", base + "/" + TENANT + "/v2.0").put("jwks_uri", base + "/keys")
            .put("token_endpoint", base + "/token").put("userinfo_endpoint", base + "/userinfo")
            .put("introspection_endpoint", base + "/introspect").encode());
      } else {
        others.handle(request);
      }
    }).listen(0, "127.0.0.1"));
    servers.add(server);
    return server;
  }

  private TokenVerifier verifier(Settings settings) {
    TokenOptions options = TokenOptions.from(settings);
    return new TokenVerifier(SigningKeys.create(vertx, options), options);
  }

  private static Settings settings(HttpServer idp, int minRefetchSeconds) {
    return Settings.fromEnvironment(Map.of("AZURE_TENANT_ID", TENANT, "AZURE_CLIENT_ID", CLIENT,
        "AZURE_CLIENT_SECRET", "unused", "AZURE_AUTHORITY_HOST", "http://127.0.0.1:" + idp.actualPort(),
        "AUTH_JWKS_MIN_REFRESH_SECONDS", Integer.toString(minRefetchSeconds)));
  }

  /** An app token from the test provider, signed by its key under {@code kid}; {@code changes} override claims. */
  private static String token(HttpServer idp, String kid, JsonObject changes) {
    long now = Instant.now().getEpochSecond();
    JsonObject claims = new JsonObject().put("iss", "http://127.0.0.1:" + idp.actualPort() + "/" + TENANT + "/v2.0")
        .put("aud", CLIENT).put("tid", TENANT).put("oid", CALLER_OID).put("azp", CLIENT).put("iat", now)
        .put("nbf", now).put("exp", now + 3600).put("roles", new JsonArray().add("CloudPC.Reprovision.All"));
    changes.forEach(change -> claims.put(change.getKey(), change.getValue()));
    claims.fieldNames().removeIf(name -> claims.getValue(name) == null);
    return Jws.rs256(new JsonObject().put("alg", "RS256").put("typ", "JWT").put("kid", kid), claims,
        idpKey.getPrivate());
  }

  private static JsonObject jwks(String kid) {
    RSAPublicKey key = (RSAPublicKey) idpKey.getPublic();
    Base64.Encoder encoder = Base64.getUrlEncoder().withoutPadding();
    return new JsonObject().put("keys", new JsonArray().add(new JsonObject().put("kty", "RSA").put("use", "sig")
        .put("kid", kid).put("n", encoder.encodeToString(unsigned(key.getModulus())))
        .put("e", encoder.encodeToString(unsigned(key.getPublicExponent())))));
  }

  private static byte[] unsigned(BigInteger value) {
    byte[] bytes = value.toByteArray();
    return bytes[0] == 0 ? Arrays.copyOfRange(bytes, 1, bytes.length) : bytes;
  }

  private TestStack stack(Map<String, String> overrides) {
    TestStack stack = TestStack.start(vertx, overrides);
    stacks.add(stack);
    return stack;
  }

  private static Future<RawClient.Answer> status(TestStack stack, String token) {
    return client.send(stack.app.port(), HttpMethod.GET, STATUS, MultiMap.caseInsensitiveMultiMap()
        .add("x-functions-key", stack.tenant.functionKey()).add("Authorization", "Bearer " + token), null, false);
  }

  private static List<RawClient.Answer> answers(CompositeFuture all) {
    return all.<RawClient.Answer>list();
  }

  /** A loopback port nobody listens on: the identity provider is down. */
  private static int closedPort() {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
