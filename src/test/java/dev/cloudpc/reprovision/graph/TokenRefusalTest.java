package dev.cloudpc.reprovision.graph;

import static dev.cloudpc.reprovision.graph.GraphTestKit.ADMIN_READS;
import static dev.cloudpc.reprovision.graph.GraphTestKit.adminRoute;
import static dev.cloudpc.reprovision.graph.GraphTestKit.bearer;
import static dev.cloudpc.reprovision.graph.GraphTestKit.graphReprovision;
import static dev.cloudpc.reprovision.graph.GraphTestKit.problem;
import static dev.cloudpc.reprovision.graph.GraphTestKit.reprovisionPosts;
import static org.assertj.core.api.Assertions.assertThat;

import dev.cloudpc.reprovision.sandbox.Fault;
import dev.cloudpc.reprovision.sandbox.RecordedRequest;
import dev.cloudpc.reprovision.sandbox.SandboxGraph;
import dev.cloudpc.reprovision.sandbox.SandboxIdentity;
import dev.cloudpc.reprovision.sandbox.GraphLimits;
import dev.cloudpc.reprovision.sandbox.SandboxOptions;
import dev.cloudpc.reprovision.sandbox.SandboxSeed;
import dev.cloudpc.reprovision.support.StrictVertxTest;
import dev.cloudpc.reprovision.support.TestStack;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.VertxTestContext;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Graph refusing tokens the function holds (401 InvalidAuthenticationToken for tokens issued before a moment T, as
 * after a revocation or a tenant change) and missing consent (403): the refused token is dropped, one new token serves
 * every waiting request, each call is sent again at most once, the identity provider's outage is a 503 and never a
 * reuse of the refused token, and a new consent applies without a restart. Counts of token requests and Graph calls
 * are asserted in every case.
 */
class TokenRefusalTest extends StrictVertxTest {
  private static final String MEGAN_PC = SandboxSeed.MEGAN_CLOUD_PCS.get(0);
  private static final String ADELE_PC = SandboxSeed.ADELE_CLOUD_PCS.get(0);
  private static final int WAVE = 200;

  private TestStack stack;
  private TokenRevocation revocation;

  @AfterEach
  void stop() {
    if (stack != null) {
      stack.close();
    }
  }

  private void start(SandboxOptions options, Map<String, String> overrides) {
    stack = GraphTestKit.start(vertx, options.withRebuildTime(TestStack.REBUILD), overrides);
    revocation = TokenRevocation.install(stack.tenant);
  }

  private void start(Map<String, String> overrides) {
    start(SandboxOptions.defaults().withGraphLimits(GraphLimits.generous()), overrides);
  }

  private Future<HttpResponse<Buffer>> reprovision(String cloudPcId) {
    return stack.post(adminRoute(cloudPcId), stack.adminToken());
  }

  private SandboxIdentity identity() {
    return stack.tenant.identity();
  }

  private SandboxGraph graph() {
    return stack.tenant.graph();
  }

  /** One accepted reprovision, so that a token is cached and Graph has seen it; answers the Graph calls it took. */
  private Future<Integer> warmUp(String cloudPcId) {
    return reprovision(cloudPcId).map(response -> {
      assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(202);
      assertThat(identity().tokenRequests()).isEqualTo(1);
      return graph().requests().size();
    });
  }

  @Test
  void aRefusedAppOnlyTokenIsReplacedOnceAndEachRefusedCallSentAgainOnce(VertxTestContext test) {
    start(Map.of());
    String otherPc = SandboxSeed.MEGAN_CLOUD_PCS.get(1);
    warmUp(MEGAN_PC)
        .compose(callsPerReprovision -> {
          revocation.revokeIssuedSoFar();
          return reprovision(otherPc).map(response -> {
            assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(202);
            return callsPerReprovision;
          });
        })
        .onComplete(test.succeeding(callsPerReprovision -> test.verify(() -> {
          assertThat(identity().tokenRequests()).as("one new token for both refused reads").isEqualTo(2);
          assertThat(revocation.refusals()).as("the read met the refused token, the POST did not")
              .isEqualTo(ADMIN_READS);
          assertThat(graph().requests()).as("each refused read, sent again, and the POST")
              .hasSize(2 * callsPerReprovision + ADMIN_READS);
          String refusedToken = bearer(graph().requests().get(0));
          List<RecordedRequest> second = graph().requests().subList(callsPerReprovision, graph().requests().size());
          List<RecordedRequest> refused = second.stream().filter(r -> bearer(r).equals(refusedToken)).toList();
          List<RecordedRequest> renewed = second.stream().filter(r -> !bearer(r).equals(refusedToken)).toList();
          assertThat(refused).extracting(RecordedRequest::method).containsOnly("GET");
          assertThat(renewed.stream().map(GraphTestKit::bearer).distinct()).as("one new token").hasSize(1);
          assertThat(renewed.stream().filter(r -> r.method().equals("GET")).map(RecordedRequest::path).toList())
              .as("each refused read sent again exactly once").containsExactlyInAnyOrderElementsOf(
                  refused.stream().map(RecordedRequest::path).toList());
          assertThat(reprovisionPosts(stack, otherPc)).hasSize(1)
              .allSatisfy(post -> assertThat(bearer(post)).isNotEqualTo(refusedToken));
          assertThat(graph().executedReprovisions(otherPc)).isEqualTo(1);
          test.completeNow();
        })));
  }

  @Test
  void aReprovisionPostRefusedWith401IsSentOnceMoreWithANewTokenAndWipesOnce(VertxTestContext test) {
    start(Map.of());
    graph().faults().next("POST", graphReprovision(MEGAN_PC), Fault.status(401, "InvalidAuthenticationToken"));
    reprovision(MEGAN_PC).onComplete(test.succeeding(response -> test.verify(() -> {
      assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(202);
      List<RecordedRequest> posts = reprovisionPosts(stack, MEGAN_PC);
      assertThat(posts).hasSize(2);
      assertThat(bearer(posts.get(1))).isNotEqualTo(bearer(posts.get(0)));
      assertThat(posts.get(1).header("client-request-id")).isEqualTo(posts.get(0).header("client-request-id"));
      assertThat(identity().tokenRequests()).isEqualTo(2);
      assertThat(graph().executedReprovisions(MEGAN_PC)).isEqualTo(1);
      test.completeNow();
    })));
  }

  @Test
  void aRefusalWaveOfConcurrentRequestsCausesExactlyOneTokenFetch(VertxTestContext test) {
    start(SandboxOptions.defaults().withGraphLimits(GraphLimits.generous()).withExtraCloudPcs(WAVE), Map.of());
    WebClient client = GraphTestKit.wideClient(stack, WAVE);
    String admin = stack.adminToken();
    warmUp(MEGAN_PC)
        .compose(callsPerReprovision -> {
          revocation.revokeIssuedSoFar();
          List<Future<HttpResponse<Buffer>>> wave = new ArrayList<>();
          for (int i = 0; i < WAVE; i++) {
            wave.add(GraphTestKit.post(client, stack, adminRoute(SandboxSeed.extraCloudPcId(i)), admin).send());
          }
          return Future.all(wave).map(all -> {
            assertThat(wave).allSatisfy(answer -> assertThat(answer.result().statusCode())
                .as(answer.result().bodyAsString()).isEqualTo(202));
            return callsPerReprovision;
          });
        })
        .onComplete(test.succeeding(callsPerReprovision -> test.verify(() -> {
          assertThat(identity().tokenRequests()).as("no retry storm: one refetch for the wave").isEqualTo(2);
          assertThat(revocation.refusals()).as("at most each in-flight request's read")
              .isBetween(1, ADMIN_READS * WAVE);
          assertThat(revocation.tokensSeen()).isEqualTo(2);
          assertThat(graph().requests()).hasSize((WAVE + 1) * callsPerReprovision + revocation.refusals());
          assertThat(graph().count("POST", ".*/reprovision")).isEqualTo(WAVE + 1);
          test.completeNow();
        })));
  }

  @Test
  void tokenEndpointDownAfterARefusalIs503NeverTheRefusedTokenThenRecovers(VertxTestContext test) {
    start(Map.of());
    String secondPc = SandboxSeed.MEGAN_CLOUD_PCS.get(1);
    String thirdPc = ADELE_PC;
    List<Integer> calls = new ArrayList<>();
    warmUp(MEGAN_PC)
        .compose(callsPerReprovision -> {
          calls.add(callsPerReprovision);
          revocation.revokeIssuedSoFar();
          identity().failTokenRequests(503, new JsonObject().put("error", "temporarily_unavailable")
              .put("error_description", "AADSTS90033: A transient error has occurred."));
          return reprovision(secondPc);
        })
        .compose(down -> {
          test.verify(() -> {
            problem(down, 503, "identity-provider-unavailable");
            assertThat(down.getHeader("Retry-After")).isEqualTo("5");
            assertThat(identity().tokenRequests()).isEqualTo(2);
            assertThat(revocation.refusals()).isEqualTo(ADMIN_READS);
            assertThat(graph().requests()).as("only the refused reads reached Graph")
                .hasSize(calls.get(0) + ADMIN_READS);
          });
          return reprovision(secondPc); // within the failure memory: no token request, and no refused token either
        })
        .compose(stillDown -> {
          test.verify(() -> {
            problem(stillDown, 503, "identity-provider-unavailable");
            assertThat(identity().tokenRequests()).isEqualTo(2);
            assertThat(graph().requests()).hasSize(calls.get(0) + ADMIN_READS);
            assertThat(reprovisionPosts(stack, secondPc)).isEmpty();
          });
          identity().clearTokenFailures();
          // The failed fetch is remembered for a second so that an outage is not hammered; wait it out.
          return vertx.timer(1_100).compose(v -> reprovision(thirdPc));
        })
        .onComplete(test.succeeding(recovered -> test.verify(() -> {
          assertThat(recovered.statusCode()).as(recovered.bodyAsString()).isEqualTo(202);
          assertThat(identity().tokenRequests()).isEqualTo(3);
          assertThat(revocation.refusals()).isEqualTo(ADMIN_READS);
          assertThat(graph().requests()).hasSize(2 * calls.get(0) + ADMIN_READS);
          assertThat(graph().executedReprovisions(thirdPc)).isEqualTo(1);
          test.completeNow();
        })));
  }

  @Test
  void aSecondRefusalIsA502NamingTheCredentialSettingsAndNothingWasWiped(VertxTestContext test) {
    start(Map.of());
    revocation.refuseAll(true);
    reprovision(MEGAN_PC).onComplete(test.succeeding(response -> test.verify(() -> {
      JsonObject body = problem(response, 502, "graph-token-refused");
      assertThat(body.getString("detail")).contains("GRAPH_CREDENTIAL").contains("AZURE_CLIENT_ID")
          .contains("AZURE_CLIENT_SECRET").contains("managed identity").contains("not the caller's");
      assertThat(body.getString("graphCode")).isEqualTo("InvalidAuthenticationToken");
      assertThat(body.getString("graphRequestId")).isNotBlank();
      assertThat(identity().tokenRequests()).as("one renewal for the read").isEqualTo(2);
      assertThat(revocation.refusals()).isEqualTo(2 * ADMIN_READS);
      assertThat(graph().requests()).as("the read, once more with the new token")
          .hasSize(2 * ADMIN_READS);
      assertThat(graph().executedReprovisions(MEGAN_PC)).isZero();
      test.completeNow();
    })));
  }

  @Test
  void healthShowsARefusedTokenAsUnhealthyUntilAFreshOneWorks(VertxTestContext test) {
    start(Map.of());
    revocation.refuseAll(true);
    reprovision(MEGAN_PC)
        .compose(refused -> {
          test.verify(() -> problem(refused, 502, "graph-token-refused"));
          return health();
        })
        .compose(unhealthy -> {
          test.verify(() -> {
            JsonObject body = problem(unhealthy, 503, "unhealthy");
            String detail = body.getJsonObject("checks").getJsonObject("graphToken").getString("detail");
            assertThat(detail).contains("refused").contains("InvalidAuthenticationToken").contains("request-id");
            assertThat(identity().tokenRequests()).as("an obtainable token is not enough").isEqualTo(3);
          });
          revocation.refuseAll(false); // the credential works again
          return health();
        })
        .compose(stillUnhealthy -> {
          test.verify(() -> problem(stillUnhealthy, 503, "unhealthy"));
          return reprovision(ADELE_PC);
        })
        .compose(accepted -> {
          test.verify(() -> assertThat(accepted.statusCode()).as(accepted.bodyAsString()).isEqualTo(202));
          return health();
        })
        .onComplete(test.succeeding(healthy -> test.verify(() -> {
          assertThat(healthy.statusCode()).as(healthy.bodyAsString()).isEqualTo(200);
          assertThat(identity().tokenRequests()).isEqualTo(3);
          test.completeNow();
        })));
  }

  private Future<HttpResponse<Buffer>> health() {
    return stack.client.get("/api/health").send();
  }

  @Test
  void theRetryWithARenewedTokenStaysWithinTheRequestsDeadline(VertxTestContext test) {
    int deadlineSeconds = 2;
    start(Map.of("REQUEST_DEADLINE_SECONDS", Integer.toString(deadlineSeconds)));
    String otherPc = SandboxSeed.MEGAN_CLOUD_PCS.get(1);
    long[] start = new long[1];
    warmUp(MEGAN_PC)
        .compose(callsPerReprovision -> {
          revocation.revokeIssuedSoFar();
          // The refused reads never reach the fault plan; the first of their retries with the new token is slow.
          graph().faults().next("*", ".*/cloudPCs/" + otherPc + ".*", Fault.delay(Duration.ofSeconds(5)));
          start[0] = System.nanoTime();
          return reprovision(otherPc);
        })
        .onComplete(test.succeeding(response -> test.verify(() -> {
          assertThat(GraphTestKit.elapsedMillis(start[0])).isLessThan(deadlineSeconds * 1000L + 750);
          problem(response, 504, "graph-timeout");
          assertThat(identity().tokenRequests()).isEqualTo(2);
          assertThat(revocation.refusals()).isEqualTo(ADMIN_READS);
          test.completeNow();
        })));
  }

  @Test
  void onBehalfOfARefusedExchangedTokenIsExchangedAgainOnceForAllWaiters(VertxTestContext test) {
    start(Map.of("GRAPH_CREDENTIAL", "on-behalf-of"));
    String adele = stack.userToken(SandboxSeed.ADELE);
    List<String> pcs = SandboxSeed.ADELE_CLOUD_PCS;
    stack.post("/api/me/cloudpcs/" + pcs.get(0) + "/reprovision", adele)
        .compose(first -> {
          assertThat(first.statusCode()).as(first.bodyAsString()).isEqualTo(202);
          // The exchange, and the app-only token for the reset setting (decision cached).
          assertThat(identity().tokenRequests()).isEqualTo(2);
          revocation.revokeIssuedSoFar();
          List<Future<HttpResponse<Buffer>>> wave = new ArrayList<>();
          for (String pc : pcs.subList(1, pcs.size())) {
            wave.add(stack.post("/api/me/cloudpcs/" + pc + "/reprovision", adele));
          }
          return Future.all(wave).map(all -> wave);
        })
        .onComplete(test.succeeding(wave -> test.verify(() -> {
          assertThat(wave).allSatisfy(answer -> assertThat(answer.result().statusCode())
              .as(answer.result().bodyAsString()).isEqualTo(202));
          assertThat(identity().tokenRequests()).as("one new exchange for the caller's waiting requests; their one "
              + "read each is delegated, so no app-only token is needed").isEqualTo(3);
          assertThat(revocation.tokensSeen()).isEqualTo(3);
          assertThat(graph().requests().stream().filter(r -> r.path().contains("/me/cloudPCs/"))
              .map(GraphTestKit::bearer).distinct()).as("the first exchanged token, then one new one").hasSize(2);
          assertThat(revocation.refusals()).as("each waiting request's delegated read at most")
              .isBetween(1, pcs.size() - 1);
          List<RecordedRequest> posts = graph().requests().stream()
              .filter(r -> r.method().equals("POST") && r.path().endsWith("/reprovision")).toList();
          assertThat(posts).hasSize(pcs.size());
          posts.forEach(post -> GraphTestKit.assertDelegatedFor(post, adele, SandboxSeed.ADELE.id()));
          pcs.forEach(pc -> assertThat(graph().executedReprovisions(pc)).isEqualTo(1));
          test.completeNow();
        })));
  }

  @Test
  void aMissingConsentRenewsTheTokenAtMostOncePerWindowAndTheNextRequestAfterConsentSucceeds(
      VertxTestContext test) {
    start(SandboxOptions.defaults().withGraphLimits(GraphLimits.generous()).withExtraCloudPcs(WAVE), Map.of());
    WebClient client = GraphTestKit.wideClient(stack, WAVE);
    String admin = stack.adminToken();
    String reprovisions = ".*/cloudPCs/[^/]+/reprovision";
    List<String> firstToken = new ArrayList<>();
    warmUp(MEGAN_PC)
        .compose(callsPerReprovision -> {
          firstToken.add(bearer(graph().requests().get(0)));
          graph().faults().always("POST", reprovisions, Fault.status(403, "Authorization_RequestDenied"));
          List<Future<HttpResponse<Buffer>>> wave = new ArrayList<>();
          for (int i = 0; i < WAVE; i++) {
            wave.add(GraphTestKit.post(client, stack, adminRoute(SandboxSeed.extraCloudPcId(i)), admin).send());
          }
          return Future.all(wave).map(all -> wave);
        })
        .compose(wave -> {
          test.verify(() -> {
            for (Future<HttpResponse<Buffer>> answer : wave) {
              JsonObject body = problem(answer.result(), 502, "graph-permission-missing");
              assertThat(body.getString("detail")).contains("CloudPC.ReadWrite.All").contains("without a restart");
              assertThat(body.getString("graphCode")).isEqualTo("Authorization_RequestDenied");
            }
            assertThat(identity().tokenRequests()).as("at most one renewal however many were refused")
                .isBetween(1, 2);
            assertThat(graph().count("POST", reprovisions)).as("a 403 is not sent again").isEqualTo(WAVE + 1);
          });
          graph().faults().clear(); // the admin consents
          return reprovision(SandboxSeed.MEGAN_CLOUD_PCS.get(1));
        })
        .compose(afterConsent -> {
          test.verify(() -> {
            assertThat(afterConsent.statusCode()).as(afterConsent.bodyAsString()).isEqualTo(202);
            assertThat(identity().tokenRequests()).isEqualTo(2);
            RecordedRequest post = reprovisionPosts(stack, SandboxSeed.MEGAN_CLOUD_PCS.get(1)).get(0);
            assertThat(bearer(post)).as("a token fetched after the refusal").isNotEqualTo(firstToken.get(0));
          });
          // Refused again inside the window: no further token, and the next request still uses the same one.
          graph().faults().next("POST", reprovisions, Fault.status(403, "Authorization_RequestDenied"));
          return reprovision(ADELE_PC)
              .compose(refused -> reprovision(SandboxSeed.ADELE_CLOUD_PCS.get(1)).map(next -> List.of(refused, next)));
        })
        .onComplete(test.succeeding(answers -> test.verify(() -> {
          problem(answers.get(0), 502, "graph-permission-missing");
          assertThat(answers.get(1).statusCode()).as(answers.get(1).bodyAsString()).isEqualTo(202);
          assertThat(identity().tokenRequests()).as("one renewal per window").isEqualTo(2);
          test.completeNow();
        })));
  }
}
