package dev.cloudpc.reprovision.auth;

import static dev.cloudpc.reprovision.support.TestStack.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.cloudpc.reprovision.http.Problem;
import dev.cloudpc.reprovision.http.ProblemException;
import dev.cloudpc.reprovision.sandbox.SandboxIdentity;
import dev.cloudpc.reprovision.sandbox.SandboxSeed;
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
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.VertxTestContext;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.security.interfaces.RSAPublicKey;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
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
          assertThat(refused).allSatisfy(answer -> {
            assertThat(answer.status()).isEqualTo(401);
            assertThat(answer.header("Content-Type")).isEqualTo(Problem.CONTENT_TYPE);
            assertThat(answer.header("WWW-Authenticate")).startsWith("Bearer error=\"invalid_token\"");
            assertThat(answer.json().getString("detail")).contains("not one of the tenant's current signing keys");
          });
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

  /**
   * Single flight, shown where timing cannot hide it: the JWKS answer takes 300 ms and all 50 lookups of the new kid
   * are made before it can arrive, so any second fetch would be seen.
   */
  @Test
  void whileASlowJwksFetchIsUnderWayEveryLookupWaitsForIt(VertxTestContext test) {
    AtomicInteger served = new AtomicInteger();
    HttpServer idp = identityProvider(request -> {
      served.incrementAndGet();
      vertx.setTimer(300, t -> request.response().end(jwks("slow-kid").encode()));
    });
    SigningKeys keys = signingKeys(idp, Duration.ZERO);
    vertx.runOnContext(v -> Future.all(IntStream.range(0, 50).mapToObj(i -> keys.key("slow-kid")).toList())
        .onComplete(test.succeeding(all -> test.verify(() -> {
          assertThat(all.<PublicKey>list()).containsOnly(idpKey.getPublic());
          assertThat(served).as("JWKS requests for 50 concurrent lookups").hasValue(1);
          assertThat(keys.fetchCount()).isEqualTo(1);
          test.completeNow();
        }))));
  }

  /** A kid the cached set lacks while the identity provider is down may be a real new key: 503, not 401. */
  @Test
  void anUnknownKidThatCannotBeCheckedIs503AndTheCachedKeysKeepWorking(VertxTestContext test) {
    AtomicInteger served = new AtomicInteger();
    HttpServer idp = identityProvider(request -> {
      if (served.getAndIncrement() == 0) {
        request.response().end(jwks("cached-kid").encode());
      } else {
        request.response().setStatusCode(500).end();
      }
    });
    SigningKeys keys = signingKeys(idp, Duration.ofMillis(200));
    // rotated-kid: a refetch that fails; another-kid: too soon for a refetch, and the last one failed.
    keys.key("cached-kid")
        .compose(cached -> vertx.timer(250))
        .compose(waited -> keys.key("rotated-kid").transform(Future::succeededFuture))
        .compose(rotated -> keys.key("another-kid").transform(Future::succeededFuture)
            .compose(rateLimited -> keys.key("cached-kid").map(cached -> List.of(rotated, rateLimited))))
        .onComplete(test.succeeding(uncheckable -> test.verify(() -> {
          assertThat(uncheckable).hasSize(2).allSatisfy(result -> {
            assertThat(result.failed()).isTrue();
            Problem problem = ((ProblemException) result.cause()).problem();
            assertThat(problem.status()).isEqualTo(503);
            assertThat(problem.headers()).containsKey("Retry-After");
          });
          test.completeNow();
        })));
  }

  /** An OpenID provider on loopback whose JWKS answers come from {@code jwks}. */
  private HttpServer identityProvider(Handler<HttpServerRequest> jwks) {
    HttpServer server = await(vertx.createHttpServer().requestHandler(request -> {
      if (request.path().endsWith("/openid-configuration")) {
        String base = "http://127.0.0.1:" + request.localAddress().port();
        request.response().end(new JsonObject().put("issuer", base + "/t/v2.0").put("jwks_uri", base + "/keys")
            .encode());
      } else {
        jwks.handle(request);
      }
    }).listen(0, "127.0.0.1"));
    servers.add(server);
    return server;
  }

  private static SigningKeys signingKeys(HttpServer idp, Duration minRefetch) {
    String issuer = "http://127.0.0.1:" + idp.actualPort() + "/t/v2.0";
    return new SigningKeys(WebClient.create(vertx), URI.create(issuer + "/.well-known/openid-configuration"), issuer,
        minRefetch);
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
