package dev.cloudpc.reprovision.graph;

import static dev.cloudpc.reprovision.graph.GraphTestKit.assertDelegatedFor;
import static dev.cloudpc.reprovision.graph.GraphTestKit.problem;
import static org.assertj.core.api.Assertions.assertThat;

import dev.cloudpc.reprovision.sandbox.Fault;
import dev.cloudpc.reprovision.sandbox.RecordedRequest;
import dev.cloudpc.reprovision.sandbox.SandboxIdentity;
import dev.cloudpc.reprovision.sandbox.SandboxSeed;
import dev.cloudpc.reprovision.sandbox.SandboxTenant;
import dev.cloudpc.reprovision.sandbox.TokenVersion;
import dev.cloudpc.reprovision.support.StrictVertxTest;
import dev.cloudpc.reprovision.support.TestStack;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxTestContext;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * With GRAPH_CREDENTIAL=on-behalf-of the me and users routes, end to end: a user acting on their own PC has the app
 * read the Cloud PC on Graph's delegated {@code GET /me/cloudPCs/{id}} and post the reprovision there with a token
 * exchanged for the caller, so Graph enforces the user's rights; an admin acting for someone else goes through the
 * admin route with the app-only credential (Graph documents the me/users routes as signed-in-user APIs).
 */
class OnBehalfOfRoutesTest extends StrictVertxTest {
  private static final String ADELE_PC = SandboxSeed.ADELE_CLOUD_PCS.get(0);
  private static final String ADELE_PC_2 = SandboxSeed.ADELE_CLOUD_PCS.get(1);

  private TestStack stack;

  @BeforeEach
  void start() {
    stack = GraphTestKit.start(vertx, Map.of("GRAPH_CREDENTIAL", "on-behalf-of"));
  }

  @AfterEach
  void stop() {
    stack.close();
  }

  private List<RecordedRequest> graphPosts() {
    return stack.tenant.graph().requests().stream().filter(r -> r.path().endsWith("/reprovision")).toList();
  }

  @Test
  void meRouteGoesToGraphsMeRouteWithOneExchangePerCaller(VertxTestContext test) {
    SandboxIdentity identity = stack.tenant.identity();
    String adele = stack.userToken(SandboxSeed.ADELE);
    stack.post("/api/me/cloudpcs/" + ADELE_PC + "/reprovision", adele)
        .compose(first -> stack.post("/api/me/cloudpcs/" + ADELE_PC_2 + "/reprovision", adele)
            .map(second -> List.of(first, second)))
        .onComplete(test.succeeding(answers -> test.verify(() -> {
          assertThat(answers).allSatisfy(r -> assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(202));
          List<RecordedRequest> posts = graphPosts();
          assertThat(posts).extracting(RecordedRequest::path).containsExactly(
              "/beta/me/cloudPCs/" + ADELE_PC + "/reprovision", "/beta/me/cloudPCs/" + ADELE_PC_2 + "/reprovision");
          assertDelegatedFor(posts.get(0), adele, SandboxSeed.ADELE.id());
          // one on-behalf-of exchange for Adele, one app-only token for the guard's reads (remote actions, the
          // Windows 365 user setting): with on-behalf-of the application permissions are needed as well
          assertThat(identity.tokenRequests()).as("one exchange per caller assertion + one app-only").isEqualTo(2);
          test.completeNow();
        })));
  }

  @Test
  void usersRouteForOneselfGoesToGraphsMeRoute(VertxTestContext test) {
    String adele = stack.userToken(SandboxSeed.ADELE);
    stack.post("/api/users/" + SandboxSeed.ADELE.id() + "/cloudpcs/" + ADELE_PC + "/reprovision", adele)
        .onComplete(test.succeeding(response -> test.verify(() -> {
          assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(202);
          List<RecordedRequest> posts = graphPosts();
          assertThat(posts).extracting(RecordedRequest::path).containsExactly(
              "/beta/me/cloudPCs/" + ADELE_PC + "/reprovision");
          assertDelegatedFor(posts.get(0), adele, SandboxSeed.ADELE.id());
          test.completeNow();
        })));
  }

  @Test
  void anAdminUserActingForSomeoneElseUsesTheAdminRouteWithTheAppOnlyToken(VertxTestContext test) {
    String megansPc = SandboxSeed.MEGAN_CLOUD_PCS.get(0);
    String adminUser = stack.tenant.identity().mintUserToken(SandboxSeed.ADELE, List.of(SandboxTenant.SELF_SCOPE),
        List.of(SandboxTenant.ADMIN_ROLE), TokenVersion.V2, Duration.ofHours(1));
    stack.post("/api/users/" + SandboxSeed.MEGAN.id() + "/cloudpcs/" + megansPc + "/reprovision", adminUser)
        .onComplete(test.succeeding(response -> test.verify(() -> {
          assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(202);
          List<RecordedRequest> posts = graphPosts();
          assertThat(posts).extracting(RecordedRequest::path).containsExactly(
              "/beta/deviceManagement/virtualEndpoint/cloudPCs/" + megansPc + "/reprovision");
          String token = posts.get(0).header("authorization").substring("Bearer ".length());
          JsonObject claims = new JsonObject(new String(Base64.getUrlDecoder().decode(token.split("\\.")[1]),
              StandardCharsets.UTF_8));
          assertThat(claims.containsKey("scp")).as("app-only token").isFalse();
          assertThat(stack.tenant.graph().requests()).extracting(RecordedRequest::path)
              .noneMatch(path -> path.contains("/users/" + SandboxSeed.MEGAN.id() + "/cloudPCs"));
          test.completeNow();
        })));
  }

  @Test
  void graphRefusingTheUserIsTheCallersForbiddenNotAServerProblem(VertxTestContext test) {
    stack.tenant.graph().faults().next("POST", ".*/me/cloudPCs/" + ADELE_PC + "/reprovision",
        Fault.status(403, "Forbidden"));
    stack.post("/api/me/cloudpcs/" + ADELE_PC + "/reprovision", stack.userToken(SandboxSeed.ADELE))
        .onComplete(test.succeeding(response -> test.verify(() -> {
          JsonObject body = problem(response, 403, "graph-forbidden");
          assertThat(body.getInteger("graphStatus")).isEqualTo(403);
          test.completeNow();
        })));
  }
}
