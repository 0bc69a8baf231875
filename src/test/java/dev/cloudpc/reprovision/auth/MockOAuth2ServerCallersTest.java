package dev.cloudpc.reprovision.auth;

import static dev.cloudpc.reprovision.support.Await.await;
import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.cloudpc.reprovision.request.Problem;
import dev.cloudpc.reprovision.sandbox.RecordedRequest;
import dev.cloudpc.reprovision.sandbox.SandboxOptions;
import dev.cloudpc.reprovision.sandbox.SandboxSeed;
import dev.cloudpc.reprovision.sandbox.SandboxTenant;
import dev.cloudpc.reprovision.support.StrictVertxTest;
import dev.cloudpc.reprovision.support.TestStack;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.VertxTestContext;
import java.net.InetAddress;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import no.nav.security.mock.oauth2.MockOAuth2Server;
import no.nav.security.mock.oauth2.token.DefaultOAuth2TokenCallback;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Callers whose tokens come from a real, independent OIDC server (mock-oauth2-server) laid out like Entra: issuer
 * {@code {authority}/{tenant}/v2.0}, discovery and JWKS under it, and the function's own Graph token from
 * {@code {authority}/{tenant}/oauth2/v2.0/token}. The sandbox only plays Graph, and checks those Graph tokens against
 * the OIDC server's keys. Nothing here was minted by the sandbox identity.
 */
class MockOAuth2ServerCallersTest extends StrictVertxTest {
  private static final String CALLER_APP = "4c1d7e9a-2b3f-4a5e-8d6c-0f1e2d3c4b5a";

  private static MockOAuth2Server oidc;
  private static String authority;
  private static TestStack stack;
  private static WebClient web;
  private static RawClient client;

  @BeforeAll
  static void start() throws Exception {
    oidc = new MockOAuth2Server();
    oidc.start(InetAddress.getByName("127.0.0.1"), 0);
    // Not oidc.baseUrl(): that names "localhost"; the issuer follows the host the caller used, as Entra's does not.
    authority = "http://127.0.0.1:" + oidc.baseUrl().port();
    web = WebClient.create(vertx);
    SandboxTenant tenant = await(SandboxTenant.start(vertx, SandboxOptions.defaults()
        .withRebuildTime(TestStack.REBUILD)));
    String graphIssuer = authority + "/" + tenant.tenantId() + "/oauth2/v2.0";
    JWKSet graphKeys = JWKSet.parse(await(web.getAbs(graphIssuer + "/jwks").send()).bodyAsString());
    tenant.graph().acceptTokens(token -> issuedForGraph(token, graphIssuer, graphKeys,
        tenant.graphBaseUrl().toString()));
    stack = TestStack.start(vertx, tenant, Map.of("AZURE_AUTHORITY_HOST", authority));
    client = new RawClient(vertx, 4);
  }

  @AfterAll
  static void stop() {
    try {
      stack.close();
      await(client.close());
    } finally {
      oidc.shutdown();
    }
  }

  @BeforeEach
  void forgetGraph() {
    stack.tenant.graph().reset();
  }

  @Test
  void anAdminApplicationTokenGets202AndExactlyOnePostWithAUserAgent(VertxTestContext test) {
    String pc = SandboxSeed.MEGAN_CLOUD_PCS.get(0);
    String token = await(callerToken(stack.tenant.tenantId(), stack.tenant.clientId(), Map.of(
        "tid", stack.tenant.tenantId(), "oid", UUID.randomUUID().toString(),
        "roles", List.of(SandboxTenant.ADMIN_ROLE))));
    post("/api/cloudpcs/" + pc + "/reprovision", token).onComplete(test.succeeding(answer -> test.verify(() -> {
      assertThat(answer.status()).as(answer.body()).isEqualTo(202);
      assertThat(answer.json().getString("cloudPcId")).isEqualTo(pc);
      List<RecordedRequest> posts = posts();
      assertThat(posts).hasSize(1);
      assertThat(posts.get(0).path()).endsWith("/cloudPCs/" + pc + "/reprovision");
      assertThat(posts.get(0).header("user-agent")).isNotBlank();
      assertThat(SignedJWT.parse(posts.get(0).header("authorization").substring(7)).getJWTClaimsSet().getIssuer())
          .as("the Graph token's issuer").isEqualTo(authority + "/" + stack.tenant.tenantId() + "/oauth2/v2.0");
      test.completeNow();
    })));
  }

  @Test
  void aUserTokenWithTheSelfScopeReprovisionsTheUsersOwnPc(VertxTestContext test) {
    String pc = SandboxSeed.ADELE_CLOUD_PCS.get(0);
    String token = await(callerToken(stack.tenant.tenantId(), stack.tenant.clientId(), Map.of(
        "tid", stack.tenant.tenantId(), "oid", SandboxSeed.ADELE.id(), "scp", SandboxTenant.SELF_SCOPE,
        "preferred_username", SandboxSeed.ADELE.userPrincipalName())));
    post("/api/me/cloudpcs/" + pc + "/reprovision", token).onComplete(test.succeeding(answer -> test.verify(() -> {
      assertThat(answer.status()).as(answer.body()).isEqualTo(202);
      assertThat(answer.json().getString("route")).isEqualTo("me");
      assertThat(posts()).singleElement().satisfies(post ->
          assertThat(post.path()).endsWith("/cloudPCs/" + pc + "/reprovision"));
      test.completeNow();
    })));
  }

  @Test
  void aTokenFromAnotherTenantsIssuerIsRefused(VertxTestContext test) {
    String other = HostileCatalog.OTHER_TENANT;
    String token = await(callerToken(other, stack.tenant.clientId(), Map.of("tid", other,
        "oid", UUID.randomUUID().toString(), "roles", List.of(SandboxTenant.ADMIN_ROLE))));
    refused(token, "not one of the tenant's current signing keys", test);
  }

  @Test
  void aTokenForGraphFromTheRightIssuerIsRefused(VertxTestContext test) {
    String token = await(callerToken(stack.tenant.tenantId(), "https://graph.microsoft.com", Map.of(
        "tid", stack.tenant.tenantId(), "oid", UUID.randomUUID().toString(),
        "roles", List.of(SandboxTenant.ADMIN_ROLE))));
    refused(token, "audience [https://graph.microsoft.com] is not this API", test);
  }

  private void refused(String token, String why, VertxTestContext test) {
    post("/api/cloudpcs/" + SandboxSeed.MEGAN_CLOUD_PCS.get(1) + "/reprovision", token)
        .onComplete(test.succeeding(answer -> test.verify(() -> {
          assertThat(answer.status()).as(answer.body()).isEqualTo(401);
          assertThat(answer.header("Content-Type")).isEqualTo(Problem.CONTENT_TYPE);
          assertThat(answer.header("WWW-Authenticate")).startsWith("Bearer error=\"invalid_token\", "
              + "error_description=\"");
          assertThat(answer.json().getString("detail")).contains(why).doesNotContain(token);
          assertThat(stack.tenant.graph().requests()).as("Graph requests").isEmpty();
          test.completeNow();
        })));
  }

  /**
   * A caller token from the OIDC server's own token endpoint (so its issuer is the URL the app also discovers),
   * shaped by a queued callback: the server hands the next token of {@code {tenant}/v2.0} these claims.
   */
  private static Future<String> callerToken(String tenantId, String audience, Map<String, Object> claims) {
    String issuerId = tenantId + "/v2.0";
    oidc.enqueueCallback(new DefaultOAuth2TokenCallback(issuerId, CALLER_APP, JOSEObjectType.JWT.getType(),
        List.of(audience), claims, 3600));
    return web.postAbs(authority + "/" + issuerId + "/token").sendForm(MultiMap.caseInsensitiveMultiMap()
            .add("grant_type", "client_credentials").add("client_id", CALLER_APP).add("client_secret", "unused")
            .add("scope", "api://" + stack.tenant.clientId() + "/.default"))
        .map(response -> response.bodyAsJsonObject().getString("access_token"));
  }

  private static Future<RawClient.Answer> post(String path, String token) {
    return client.send(stack.app.port(), HttpMethod.POST, path, MultiMap.caseInsensitiveMultiMap()
        .add("x-functions-key", stack.tenant.functionKey()).add("Authorization", "Bearer " + token), null, false);
  }

  private static List<RecordedRequest> posts() {
    return stack.tenant.graph().requests().stream().filter(r -> r.path().endsWith("/reprovision")).toList();
  }

  /** The sandbox Graph's token check here: signed by the OIDC server for Graph, from the tenant's token issuer. */
  private static boolean issuedForGraph(String bearer, String issuer, JWKSet keys, String graph) {
    try {
      SignedJWT jwt = SignedJWT.parse(bearer.startsWith("Bearer ") ? bearer.substring(7) : bearer);
      JWK key = keys.getKeyByKeyId(jwt.getHeader().getKeyID());
      JWTClaimsSet claims = jwt.getJWTClaimsSet();
      return key != null && jwt.verify(new RSASSAVerifier(key.toRSAKey())) && issuer.equals(claims.getIssuer())
          && claims.getExpirationTime().after(new Date())
          && claims.getAudience().stream().anyMatch(audience -> audience.startsWith(graph));
    } catch (Exception e) {
      return false;
    }
  }
}
