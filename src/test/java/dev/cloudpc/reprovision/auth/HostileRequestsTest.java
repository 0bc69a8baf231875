package dev.cloudpc.reprovision.auth;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cloudpc.reprovision.ReprovisionApp;
import dev.cloudpc.reprovision.auth.HostileCase.Reach;
import dev.cloudpc.reprovision.config.Secret;
import dev.cloudpc.reprovision.config.Settings;
import dev.cloudpc.reprovision.http.ProblemHandler;
import dev.cloudpc.reprovision.request.Problem;
import dev.cloudpc.reprovision.sandbox.RecordedRequest;
import dev.cloudpc.reprovision.support.Await;
import dev.cloudpc.reprovision.support.StrictVertxTest;
import dev.cloudpc.reprovision.support.TestStack;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxTestContext;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The front door against an Entra-like tenant on loopback: well over a hundred distinct hostile requests, each
 * refused with the exact status, a problem body that tells the caller what to fix without echoing a credential, an
 * RFC 6750 challenge on 401s, a fresh client-request-id for ids that are not GUIDs — and not one of them gets a
 * reprovision to Graph; those refused before authorization get no Graph request at all. Positive controls prove the
 * same checks let the legitimate variants through.
 */
class HostileRequestsTest extends StrictVertxTest {
  private static final Pattern CHALLENGE =
      Pattern.compile("^Bearer error=\"invalid_token\", error_description=\"[^\"\\\\]+\"$");
  private static final String HANDOVER_SECRET = UUID.randomUUID().toString();

  private static LogCapture logs;
  private static TestStack main;
  private static TestStack easyAuth;
  private static TestStack keyOnly;
  private static ReprovisionApp handover;
  private static RawClient client;
  private static List<HostileCase> hostile;
  private static List<HostileCase> accepted;
  private static final AtomicLong reprovisionPosts = new AtomicLong();

  @BeforeAll
  static void start() {
    logs = LogCapture.attach();
    main = TestStack.start(vertx, Map.of());
    easyAuth = TestStack.start(vertx, main.tenant, Map.of("WEBSITE_AUTH_ENABLED", "true"));
    keyOnly = TestStack.start(vertx, main.tenant, Map.of("AUTH_FUNCTION_KEY_CALLERS_ARE_ADMINS", "true"));
    handover = startBehindFunctionsHost();
    client = new RawClient(vertx, 8);
    HostileCatalog catalog = new HostileCatalog(main.tenant, new Forge(main.tenant.identity()), HANDOVER_SECRET);
    hostile = catalog.hostile();
    accepted = catalog.accepted();
  }

  /** The router as the Functions entry point runs it: no FUNCTION_KEY (the host checks keys), a hand-over secret. */
  private static ReprovisionApp startBehindFunctionsHost() {
    Map<String, String> env = new HashMap<>(main.tenant.environment());
    env.remove("FUNCTION_KEY");
    env.put("AUTH_FUNCTION_KEY_CALLERS_ARE_ADMINS", "true");
    env.put("AUTH_JWKS_MIN_REFRESH_SECONDS", "0");
    return Await.await(ReprovisionApp.start(vertx, Settings.fromEnvironment(env),
        new ReprovisionApp.Listen("127.0.0.1", 0, Optional.of(new Secret(HANDOVER_SECRET)), 1)));
  }

  @AfterAll
  static void stop() {
    try {
      assertThat(reprovisionPosts).as("POSTs that reached the fake Graph during the whole class").hasValue(0);
      Set<String> secrets = Stream.concat(hostile.stream(), accepted.stream())
          .flatMap(c -> c.secrets().stream()).collect(Collectors.toSet());
      assertThat(logs.everything()).as("log lines").allSatisfy(line ->
          assertThat(secrets).noneSatisfy(secret -> assertThat(line).contains(secret)));
    } finally {
      Await.await(client.close().compose(v -> handover.close()).compose(v -> keyOnly.app.close())
          .compose(v -> easyAuth.app.close()));
      main.close();
      logs.detach();
    }
  }

  @BeforeEach
  void forgetGraph() {
    main.tenant.graph().reset();
  }

  static List<HostileCase> hostile() {
    return hostile;
  }

  static List<HostileCase> accepted() {
    return accepted;
  }

  @Test
  void theTableHoldsWellOverAHundredDistinctHostileRequestsOfEveryRefusalKind() {
    assertThat(hostile).extracting(HostileCase::name).doesNotHaveDuplicates();
    Set<String> distinct = hostile.stream().map(c -> c.target() + " " + c.method() + " " + c.uri() + " "
        + withoutCorrelation(c.headers()) + " " + c.body()).collect(Collectors.toSet());
    assertThat(distinct).hasSizeGreaterThanOrEqualTo(100);
    assertThat(hostile).extracting(HostileCase::status).contains(400, 401, 403, 404, 405, 413, 415);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("hostile")
  void refused(HostileCase request, VertxTestContext test) {
    send(request).onComplete(test.succeeding(answer -> test.verify(() -> {
      assertThat(answer.status()).as("%s → %s", request, answer.body()).isEqualTo(request.status());
      assertThat(answer.header("Content-Type")).isEqualTo(Problem.CONTENT_TYPE);
      JsonObject problem = answer.json();
      assertThat(problem.getString("type")).endsWith(":" + request.slug());
      assertThat(problem.getInteger("status")).isEqualTo(request.status());
      assertThat(problem.getString("title")).isNotBlank();
      String detail = problem.getString("detail");
      assertThat(detail).isNotBlank();
      if (request.mention() != null) {
        assertThat(detail).contains(request.mention());
      }
      if (request.status() == 401) {
        assertThat(answer.header("WWW-Authenticate")).matches(CHALLENGE);
      }
      if (request.status() == 405) {
        assertThat(answer.header("Allow")).isNotBlank().doesNotContain(request.method().name());
      }
      assertNoSecretIn(request, answer);
      String clientRequestId = assertCorrelation(request, answer);
      assertThat(problem.getString("clientRequestId")).isEqualTo(clientRequestId);
      assertThat(refusalLines(clientRequestId)).as("log lines about the refusal").singleElement()
          .satisfies(line -> {
            if (request.status() == 403) {
              assertThat(line).as("a 403's log line names the caller")
                  .containsPattern("caller=\\{\"kind\"|callerKind=\\w+ ");
            }
          });
      assertGraph(request, clientRequestId);
      test.completeNow();
    })));
  }

  @ParameterizedTest(name = "positive control: {0}")
  @MethodSource("accepted")
  void positiveControlsStillPass(HostileCase request, VertxTestContext test) {
    send(request).onComplete(test.succeeding(answer -> test.verify(() -> {
      assertThat(answer.status()).as("%s → %s", request, answer.body()).isEqualTo(200);
      JsonObject body = answer.json();
      assertThat(body.getBoolean("dryRun")).isTrue();
      assertThat(body.getJsonArray("checks").getList()).contains("caller authorized");
      assertNoSecretIn(request, answer);
      assertGraph(request, assertCorrelation(request, answer));
      test.completeNow();
    })));
  }

  @Test
  void keyOnlyCallersAreWarnedAboutAtStartAndAuditedOnEveryUse(VertxTestContext test) {
    assertThat(logs.messages(CallerValidator.class.getName()))
        .anySatisfy(line -> assertThat(line).contains("AUTH_FUNCTION_KEY_CALLERS_ARE_ADMINS"));
    List<String> ids = List.of(UUID.randomUUID().toString(), UUID.randomUUID().toString());
    Future.all(ids.stream().map(id -> client.send(keyOnly.app.port(), HttpMethod.POST,
            HostileCatalog.Route.ADMIN.uri + "?dryRun=true", MultiMap.caseInsensitiveMultiMap()
                .add("x-functions-key", main.tenant.functionKey()).add("client-request-id", id), null, false))
            .toList())
        .onComplete(test.succeeding(all -> test.verify(() -> {
          for (int i = 0; i < ids.size(); i++) {
            assertThat(all.<RawClient.Answer>resultAt(i).status()).isEqualTo(200);
            String id = ids.get(i);
            assertThat(logs.messages("audit")).filteredOn(line -> line.contains("function-key-caller"))
                .anySatisfy(line -> assertThat(line).contains(id).contains("AUTH_FUNCTION_KEY_CALLERS_ARE_ADMINS"));
          }
          test.completeNow();
        })));
  }

  private static Future<RawClient.Answer> send(HostileCase request) {
    int port = switch (request.target()) {
      case MAIN -> main.app.port();
      case EASY_AUTH -> easyAuth.app.port();
      case KEY_ONLY -> keyOnly.app.port();
      case HANDOVER -> handover.port();
    };
    return client.send(port, request.method(), request.uri(), request.headers(), request.body(), request.chunked())
        .recover(failure -> Future.failedFuture(new AssertionError(request + ": " + failure, failure)));
  }

  private static void assertNoSecretIn(HostileCase request, RawClient.Answer answer) {
    for (String secret : request.secrets()) {
      assertThat(answer.body()).as("answer body of %s", request).doesNotContain(secret);
      answer.headers().forEach(header -> assertThat(header.getValue()).as("header %s", header.getKey())
          .doesNotContain(secret));
    }
  }

  /** The caller's client-request-id comes back only if it is a GUID; otherwise a fresh GUID replaces it. */
  private static String assertCorrelation(HostileCase request, RawClient.Answer answer) {
    String sent = request.headers().get("client-request-id");
    String answered = answer.header("client-request-id");
    assertThat(answered).matches(Settings.GUID);
    if (Settings.GUID.matcher(sent).matches()) {
      assertThat(answered).isEqualTo(sent);
    } else {
      assertThat(answered).isNotEqualTo(sent);
    }
    return answered;
  }

  private static void assertGraph(HostileCase request, String clientRequestId) {
    List<RecordedRequest> seen = main.tenant.graph().requests();
    reprovisionPosts.addAndGet(seen.stream().filter(r -> r.path().endsWith("/reprovision")).count());
    if (request.reach() == Reach.NOTHING) {
      assertThat(seen).as("Graph requests caused by %s", request).isEmpty();
    }
    assertThat(seen).allSatisfy(r -> {
      // reads only: GETs and the membership check of the Windows 365 reset setting
      assertThat(r.method().equals("GET") || r.path().endsWith("/checkMemberGroups")).as(r.path()).isTrue();
      assertThat(r.header("client-request-id")).isEqualTo(clientRequestId);
    });
  }

  /**
   * One line per refusal: the problem handler's, or — for refusals the reprovision handlers answer themselves, such
   * as "not your Cloud PC" — the audit line with outcome "refused".
   */
  private static List<String> refusalLines(String clientRequestId) {
    List<String> lines = new ArrayList<>(logs.messages(ProblemHandler.class.getName()).stream()
        .filter(line -> line.contains("client-request-id=" + clientRequestId + " ")).toList());
    logs.messages("audit").stream().filter(line -> line.contains(" clientRequestId=" + clientRequestId))
        .filter(line -> line.contains(" outcome=refused ")).forEach(lines::add);
    return lines;
  }

  private static String withoutCorrelation(MultiMap headers) {
    return headers.entries().stream().filter(e -> !e.getKey().equalsIgnoreCase("client-request-id"))
        .map(e -> e.getKey() + "=" + e.getValue()).sorted().toList().toString();
  }
}
