package dev.cloudpc.reprovision.graph;

import static dev.cloudpc.reprovision.graph.GraphTestKit.assertDelegatedFor;
import static org.assertj.core.api.Assertions.assertThat;

import dev.cloudpc.reprovision.auth.Caller;
import dev.cloudpc.reprovision.config.Secret;
import dev.cloudpc.reprovision.config.Settings;
import dev.cloudpc.reprovision.config.UserAgent;
import dev.cloudpc.reprovision.request.Deadline;
import dev.cloudpc.reprovision.request.ProblemException;
import dev.cloudpc.reprovision.request.RequestScope;
import dev.cloudpc.reprovision.sandbox.RecordedRequest;
import dev.cloudpc.reprovision.sandbox.SandboxIdentity;
import dev.cloudpc.reprovision.sandbox.SandboxOptions;
import dev.cloudpc.reprovision.sandbox.SandboxSeed;
import dev.cloudpc.reprovision.sandbox.SandboxTenant;
import dev.cloudpc.reprovision.sandbox.SandboxUser;
import dev.cloudpc.reprovision.sandbox.TokenVersion;
import dev.cloudpc.reprovision.support.Await;
import dev.cloudpc.reprovision.support.StrictVertxTest;
import dev.cloudpc.reprovision.support.TestStack;
import dev.cloudpc.reprovision.telemetry.Telemetry;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.junit5.VertxTestContext;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The on-behalf-of credential at the Graph client: the caller's token is exchanged at the sandbox's Entra-like token
 * endpoint (jwt-bearer grant), the exchanged token acts for that user on Graph's delegated routes, one exchange serves
 * concurrent and later calls with the same assertion, and refusals map to the caller's problem.
 */
class OnBehalfOfTest extends StrictVertxTest {
  private static final List<String> ADELE_PCS = SandboxSeed.ADELE_CLOUD_PCS;
  private static final String MEGAN_PC = SandboxSeed.MEGAN_CLOUD_PCS.get(0);

  private SandboxTenant tenant;
  private GraphTokens tokens;
  private GraphClient graph;

  @BeforeEach
  void start() {
    tenant = Await.await(SandboxTenant.start(vertx, SandboxOptions.defaults().withRebuildTime(TestStack.REBUILD)));
    Map<String, String> env = new HashMap<>(tenant.environment());
    env.put("GRAPH_CREDENTIAL", "on-behalf-of");
    Settings settings = Settings.fromEnvironment(env);
    tokens = new GraphTokens(vertx, WebClient.create(vertx, new WebClientOptions()
        .setUserAgent(UserAgent.VALUE)), GraphTokenOptions.from(settings), Telemetry.none());
    GraphClientOptions options = GraphClientOptions.from(settings);
    graph = new GraphClient(vertx, GraphClient.createWebClient(vertx, options), options, tokens,
        RetryPolicy.of(settings.graphMaxAttempts()), GraphBudget.UNLIMITED, Telemetry.none());
  }

  @AfterEach
  void stop() {
    Await.await(tenant.close());
  }

  private String tokenOf(SandboxUser user) {
    return tenant.identity().mintUserToken(user, List.of(SandboxTenant.SELF_SCOPE), List.of(), TokenVersion.V2,
        Duration.ofHours(1));
  }

  private Caller caller(SandboxUser user, String assertion) {
    return new Caller(Caller.Kind.USER, user.id(), tenant.tenantId(), SandboxSeed.USER_CLIENT_APP_ID,
        user.userPrincipalName(), Set.of(), Set.of(SandboxTenant.SELF_SCOPE), Optional.of(new Secret(assertion)));
  }

  private Future<GraphResponse> reprovision(String path, Caller caller) {
    RequestScope scope = new RequestScope(UUID.randomUUID().toString(),
        "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01", "test", Deadline.in(Duration.ofSeconds(10)),
        "http://127.0.0.1", null, false);
    return graph.send(GraphCall.post(path + "/reprovision", new JsonObject()).onBehalfOf(caller), scope);
  }

  private List<RecordedRequest> posts() {
    return tenant.graph().requests().stream().filter(r -> r.method().equals("POST")).toList();
  }

  @Test
  void theExchangedTokenActsForTheUserOnGraphsMeRouteAndServesLaterCalls(VertxTestContext test) {
    String adeleToken = tokenOf(SandboxSeed.ADELE);
    Caller adele = caller(SandboxSeed.ADELE, adeleToken);
    reprovision("/me/cloudPCs/" + ADELE_PCS.get(0), adele)
        .compose(first -> reprovision("/me/cloudPCs/" + ADELE_PCS.get(1), adele).map(second -> List.of(first, second)))
        .onComplete(test.succeeding(answers -> test.verify(() -> {
          assertThat(answers).extracting(GraphResponse::status).containsExactly(204, 204);
          assertThat(posts()).extracting(RecordedRequest::path).containsExactly(
              "/beta/me/cloudPCs/" + ADELE_PCS.get(0) + "/reprovision",
              "/beta/me/cloudPCs/" + ADELE_PCS.get(1) + "/reprovision");
          posts().forEach(post -> assertDelegatedFor(post, adeleToken, SandboxSeed.ADELE.id()));
          assertThat(tenant.identity().tokenRequests()).isEqualTo(1);
          assertThat(tokens.requestCount()).isEqualTo(1);
          test.completeNow();
        })));
  }

  @Test
  void eachCallerAssertionGetsItsOwnSingleExchange(VertxTestContext test) {
    String adeleToken = tokenOf(SandboxSeed.ADELE);
    String meganToken = tokenOf(SandboxSeed.MEGAN);
    Caller adele = caller(SandboxSeed.ADELE, adeleToken);
    Caller megan = caller(SandboxSeed.MEGAN, meganToken);
    SandboxIdentity identity = tenant.identity();
    Future.all(
            reprovision("/me/cloudPCs/" + ADELE_PCS.get(0), adele),
            reprovision("/me/cloudPCs/" + ADELE_PCS.get(1), adele),
            reprovision("/me/cloudPCs/" + ADELE_PCS.get(2), adele),
            reprovision("/me/cloudPCs/" + MEGAN_PC, megan))
        .onComplete(test.succeeding(all -> test.verify(() -> {
          for (int i = 0; i < all.size(); i++) {
            assertThat(all.<GraphResponse>resultAt(i).status()).isEqualTo(204);
          }
          assertThat(identity.tokenRequests()).as("concurrent calls share one exchange per assertion").isEqualTo(2);
          RecordedRequest meganPost = posts().stream().filter(r -> r.path().contains(MEGAN_PC)).findFirst()
              .orElseThrow();
          assertDelegatedFor(meganPost, meganToken, SandboxSeed.MEGAN.id());
          test.completeNow();
        })));
  }

  @Test
  void theUsersRouteForOneselfUsesTheExchangedToken(VertxTestContext test) {
    String adeleToken = tokenOf(SandboxSeed.ADELE);
    reprovision("/users/" + SandboxSeed.ADELE.id() + "/cloudPCs/" + ADELE_PCS.get(0), caller(SandboxSeed.ADELE,
            adeleToken))
        .onComplete(test.succeeding(response -> test.verify(() -> {
          assertThat(response.status()).isEqualTo(204);
          RecordedRequest post = posts().get(0);
          assertThat(post.path()).isEqualTo("/beta/users/" + SandboxSeed.ADELE.id() + "/cloudPCs/"
              + ADELE_PCS.get(0) + "/reprovision");
          assertDelegatedFor(post, adeleToken, SandboxSeed.ADELE.id());
          assertThat(tenant.graph().executedReprovisions(ADELE_PCS.get(0))).isEqualTo(1);
          test.completeNow();
        })));
  }

  @Test
  void anAssertionEntraWillNotExchangeIsTheCallersForbidden(VertxTestContext test) {
    // Entra refuses to exchange an app-only token: there is no user to act for (invalid_grant).
    String appToken = tenant.identity().mintApplicationToken(SandboxSeed.ADMIN_CALLER_APP_ID,
        List.of(SandboxTenant.ADMIN_ROLE), TokenVersion.V2, Duration.ofHours(1));
    reprovision("/me/cloudPCs/" + ADELE_PCS.get(0), caller(SandboxSeed.ADELE, appToken))
        .onComplete(test.failing(failure -> test.verify(() -> {
          assertThat(failure).isInstanceOf(ProblemException.class);
          var problem = ((ProblemException) failure).problem();
          assertThat(problem.status()).isEqualTo(403);
          assertThat(problem.slug()).isEqualTo("on-behalf-of-refused");
          assertThat(problem.extensions().getString("identityError")).isEqualTo("invalid_grant");
          assertThat(problem.toJson().encode()).doesNotContain(appToken).doesNotContain(tenant.clientSecret());
          assertThat(tenant.graph().requests()).isEmpty();
          test.completeNow();
        })));
  }
}
