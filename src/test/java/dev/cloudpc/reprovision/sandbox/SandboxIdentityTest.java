package dev.cloudpc.reprovision.sandbox;

import static dev.cloudpc.reprovision.support.Await.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.RSAPublicKeySpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;

class SandboxIdentityTest extends SandboxTestBase {

  private HttpResponse<Buffer> get(String path) {
    return send(http.getAbs(identityUrl(path)));
  }

  @Test
  void discoveryV2FollowsEntraLayout() {
    String base = sandbox.identityBaseUrl() + "/" + sandbox.tenantId();
    JsonObject doc = get("/" + sandbox.tenantId() + "/v2.0/.well-known/openid-configuration").bodyAsJsonObject();

    assertThat(doc.getString("issuer")).isEqualTo(base + "/v2.0");
    assertThat(doc.getString("jwks_uri")).isEqualTo(base + "/discovery/v2.0/keys");
    assertThat(doc.getString("token_endpoint")).isEqualTo(base + "/oauth2/v2.0/token");
    assertThat(doc.getJsonArray("id_token_signing_alg_values_supported")).containsExactly("RS256");
    assertThat(sandbox.identity().issuer(TokenVersion.V2)).isEqualTo(base + "/v2.0");
  }

  @Test
  void discoveryV1UsesStsIssuer() {
    String base = sandbox.identityBaseUrl() + "/" + sandbox.tenantId();
    JsonObject doc = get("/" + sandbox.tenantId() + "/.well-known/openid-configuration").bodyAsJsonObject();

    assertThat(doc.getString("issuer")).isEqualTo("https://sts.windows.net/" + sandbox.tenantId() + "/");
    assertThat(doc.getString("jwks_uri")).isEqualTo(base + "/discovery/keys");
    assertThat(doc.getString("token_endpoint")).isEqualTo(base + "/oauth2/token");
  }

  @Test
  void unknownTenantIsRefusedLikeEntra() {
    HttpResponse<Buffer> response = get("/00000000-0000-0000-0000-000000000000/v2.0/.well-known/openid-configuration");

    assertThat(response.statusCode()).isEqualTo(400);
    assertThat(response.bodyAsJsonObject().getString("error")).isEqualTo("invalid_tenant");
    assertThat(response.bodyAsJsonObject().getJsonArray("error_codes")).containsExactly(90002);
  }

  @Test
  void jwksServesTheSigningKeyAndMintedTokensVerifyAgainstIt() throws Exception {
    int before = sandbox.identity().jwksRequests();
    JsonObject v2 = get("/" + sandbox.tenantId() + "/discovery/v2.0/keys").bodyAsJsonObject();
    JsonObject v1 = get("/" + sandbox.tenantId() + "/discovery/keys").bodyAsJsonObject();

    assertThat(sandbox.identity().jwksRequests()).isEqualTo(before + 2);
    assertThat(v1).isEqualTo(v2);
    JsonObject jwk = v2.getJsonArray("keys").getJsonObject(0);
    assertThat(v2.getJsonArray("keys")).hasSize(1);
    assertThat(jwk.getString("kty")).isEqualTo("RSA");
    assertThat(jwk.getString("use")).isEqualTo("sig");
    assertThat(jwk.getString("alg")).isEqualTo("RS256");
    assertThat(jwk.getString("kid")).isEqualTo(sandbox.identity().currentKid());

    PublicKey key = rsaKey(jwk);
    assertThat(((java.security.interfaces.RSAPublicKey) key).getModulus().bitLength()).isEqualTo(2048);
    String token = sandbox.identity().mintApplicationToken("app-1", List.of("CloudPC.Reprovision.All"),
        TokenVersion.V2, Duration.ofMinutes(5));
    assertThat(headerOf(token).getString("kid")).isEqualTo(jwk.getString("kid"));
    assertThat(headerOf(token).getString("typ")).isEqualTo("JWT");
    assertThat(rs256Valid(token, key)).isTrue();
  }

  @Test
  void clientCredentialsIssuesGraphToken() {
    int before = sandbox.identity().tokenRequests();
    HttpResponse<Buffer> response = clientCredentials();

    assertThat(response.statusCode()).isEqualTo(200);
    JsonObject body = response.bodyAsJsonObject();
    assertThat(body.getString("token_type")).isEqualTo("Bearer");
    assertThat(body.getInteger("expires_in")).isEqualTo(3599);
    assertThat(body.getInteger("ext_expires_in")).isEqualTo(3599);
    JsonObject claims = claimsOf(body.getString("access_token"));
    assertThat(claims.getString("aud")).isEqualTo(sandbox.graphBaseUrl().toString());
    assertThat(claims.getString("iss")).isEqualTo(sandbox.identity().issuer(TokenVersion.V2));
    assertThat(claims.getString("tid")).isEqualTo(sandbox.tenantId());
    assertThat(claims.getString("oid")).isEqualTo(SandboxSeed.FUNCTION_SERVICE_PRINCIPAL_ID);
    assertThat(claims.getString("azp")).isEqualTo(sandbox.clientId());
    assertThat(claims.getString("appid")).isEqualTo(sandbox.clientId());
    assertThat(claims.getJsonArray("roles")).containsExactly("CloudPC.ReadWrite.All");
    assertThat(claims.getLong("exp")).isGreaterThan(Instant.now().getEpochSecond() + 3500);
    assertThat(sandbox.identity().verifyGraphToken(body.getString("access_token"))).isTrue();
    assertThat(sandbox.identity().tokenRequests()).isEqualTo(before + 1);
  }

  @Test
  void clientSecretBasicIsAccepted() {
    String basic = Base64.getEncoder().encodeToString(
        (sandbox.clientId() + ":" + sandbox.clientSecret()).getBytes(StandardCharsets.UTF_8));
    HttpResponse<Buffer> response = await(http.postAbs(tokenUrl()).putHeader("Authorization", "Basic " + basic)
        .sendForm(MultiMap.caseInsensitiveMultiMap().add("grant_type", "client_credentials")
            .add("scope", sandbox.graphBaseUrl() + "/.default")));

    assertThat(response.statusCode()).isEqualTo(200);
  }

  @Test
  void wrongSecretIsInvalidClient() {
    HttpResponse<Buffer> response = tokenRequest(form("client_credentials", sandbox.clientId(), "nope",
        sandbox.graphBaseUrl() + "/.default"));

    assertThat(response.statusCode()).isEqualTo(401);
    JsonObject body = response.bodyAsJsonObject();
    assertThat(body.getString("error")).isEqualTo("invalid_client");
    assertThat(body.getString("error_description")).startsWith("AADSTS7000215: Invalid client secret provided.");
    assertThat(body.getJsonArray("error_codes")).containsExactly(7000215);
    assertThat(body.getString("trace_id")).isNotBlank();
    assertThat(body.getString("correlation_id")).isNotBlank();
  }

  @Test
  void unknownClientIsUnauthorizedClient() {
    HttpResponse<Buffer> response = tokenRequest(form("client_credentials", "11111111-2222-3333-4444-555555555555",
        sandbox.clientSecret(), sandbox.graphBaseUrl() + "/.default"));

    assertThat(response.statusCode()).isEqualTo(400);
    assertThat(response.bodyAsJsonObject().getString("error")).isEqualTo("unauthorized_client");
    assertThat(response.bodyAsJsonObject().getString("error_description")).startsWith("AADSTS700016: ");
  }

  @Test
  void badScopeAndUnsupportedGrantAreRefused() {
    HttpResponse<Buffer> scope = tokenRequest(form("client_credentials", sandbox.clientId(), sandbox.clientSecret(),
        "https://graph.microsoft.com/.default"));
    HttpResponse<Buffer> grant = tokenRequest(form("password", sandbox.clientId(), sandbox.clientSecret(),
        sandbox.graphBaseUrl() + "/.default"));

    assertThat(scope.statusCode()).isEqualTo(400);
    assertThat(scope.bodyAsJsonObject().getString("error")).isEqualTo("invalid_scope");
    assertThat(grant.statusCode()).isEqualTo(400);
    assertThat(grant.bodyAsJsonObject().getString("error")).isEqualTo("unsupported_grant_type");
  }

  @Test
  void onBehalfOfExchangesUserTokenForGraphToken() {
    String userToken = sandbox.identity().mintUserToken(SandboxSeed.ADELE, List.of("CloudPC.Reprovision"),
        List.of(), TokenVersion.V1, Duration.ofMinutes(10));

    HttpResponse<Buffer> response = tokenRequest(obo(userToken));

    assertThat(response.statusCode()).isEqualTo(200);
    String graph = response.bodyAsJsonObject().getString("access_token");
    JsonObject claims = claimsOf(graph);
    assertThat(claims.getString("aud")).isEqualTo(sandbox.graphBaseUrl().toString());
    assertThat(claims.getString("oid")).isEqualTo(SandboxSeed.ADELE.id());
    assertThat(claims.getString("upn")).isEqualTo(SandboxSeed.ADELE.userPrincipalName());
    assertThat(claims.getString("scp")).isEqualTo("CloudPC.ReadWrite.All");
    assertThat(claims.containsKey("roles")).isFalse();
    assertThat(sandbox.identity().verifyGraphToken(graph)).isTrue();
  }

  @Test
  void onBehalfOfRefusesBadAssertions() {
    String appToken = sandbox.identity().mintApplicationToken("app-2", List.of("CloudPC.Reprovision.All"),
        TokenVersion.V2, Duration.ofMinutes(10));
    String userToken = sandbox.identity().mintUserToken(SandboxSeed.ADELE, List.of("CloudPC.Reprovision"),
        List.of(), TokenVersion.V2, Duration.ofMinutes(10));
    String tampered = userToken.substring(0, userToken.length() - 4) + "AAAA";
    String expired = sandbox.identity().mintUserToken(SandboxSeed.ADELE, List.of("CloudPC.Reprovision"),
        List.of(), TokenVersion.V2, Duration.ofMinutes(-5));
    String otherAudience = sandbox.identity().mint(claimsOf(userToken).put("aud", "api://someone-else"));

    for (String assertion : List.of(appToken, tampered, expired, otherAudience, "not-a-jwt")) {
      HttpResponse<Buffer> response = tokenRequest(obo(assertion));
      assertThat(response.statusCode()).as(assertion).isEqualTo(400);
      assertThat(response.bodyAsJsonObject().getString("error")).isEqualTo("invalid_grant");
    }
    assertThat(tokenRequest(obo(expired)).bodyAsJsonObject().getJsonArray("error_codes")).containsExactly(500133);
  }

  @Test
  void managedIdentityEndpointIssuesGraphToken() {
    int before = sandbox.identity().tokenRequests();
    String url = sandbox.identity().msiEndpoint() + "?api-version=2019-08-01&resource=" + sandbox.graphBaseUrl();

    HttpResponse<Buffer> ok = send(http.getAbs(url).putHeader("X-IDENTITY-HEADER",
        sandbox.identity().identityHeader()));
    HttpResponse<Buffer> missing = send(http.getAbs(url));
    HttpResponse<Buffer> wrong = send(http.getAbs(url).putHeader("X-IDENTITY-HEADER", "guess"));

    assertThat(ok.statusCode()).isEqualTo(200);
    JsonObject body = ok.bodyAsJsonObject();
    assertThat(body.getValue("expires_on")).isInstanceOf(String.class);
    assertThat(Long.parseLong(body.getString("expires_on"))).isGreaterThan(Instant.now().getEpochSecond());
    assertThat(body.getString("resource")).isEqualTo(sandbox.graphBaseUrl().toString());
    assertThat(body.getString("token_type")).isEqualTo("Bearer");
    assertThat(sandbox.identity().verifyGraphToken(body.getString("access_token"))).isTrue();
    assertThat(claimsOf(body.getString("access_token")).getString("idtyp")).isEqualTo("app");
    assertThat(missing.statusCode()).isEqualTo(400);
    assertThat(wrong.statusCode()).isEqualTo(401);
    assertThat(sandbox.identity().tokenRequests()).isEqualTo(before + 3);
  }

  /** Identity-based AzureWebJobsStorage asks the same endpoint for Azure Storage; the token is no Graph token. */
  @Test
  void managedIdentityEndpointIssuesAzureStorageTokensToo() {
    String url = sandbox.identity().msiEndpoint() + "?api-version=2019-08-01&resource=https://storage.azure.com/";

    HttpResponse<Buffer> ok = send(http.getAbs(url).putHeader("X-IDENTITY-HEADER",
        sandbox.identity().identityHeader()));
    HttpResponse<Buffer> other = send(http.getAbs(url.replace("storage.azure.com", "vault.azure.net"))
        .putHeader("X-IDENTITY-HEADER", sandbox.identity().identityHeader()));

    assertThat(ok.statusCode()).isEqualTo(200);
    String token = ok.bodyAsJsonObject().getString("access_token");
    assertThat(claimsOf(token).getString("aud")).isEqualTo(SandboxIdentity.STORAGE_AUDIENCE);
    assertThat(sandbox.identity().verifyGraphToken(token)).isFalse();
    assertThat(other.statusCode()).isEqualTo(400);
  }

  @Test
  void tokenFailuresCanBeInjectedAndCleared() {
    sandbox.identity().failTokenRequests(503, new JsonObject().put("error", "temporarily_unavailable"));

    HttpResponse<Buffer> failed = clientCredentials();
    sandbox.identity().clearTokenFailures();
    HttpResponse<Buffer> ok = clientCredentials();

    assertThat(failed.statusCode()).isEqualTo(503);
    assertThat(failed.bodyAsJsonObject().getString("error")).isEqualTo("temporarily_unavailable");
    assertThat(ok.statusCode()).isEqualTo(200);
  }

  @Test
  void tokenLifetimeIsSettable() {
    sandbox.identity().setTokenLifetime(Duration.ofSeconds(90));

    JsonObject body = clientCredentials().bodyAsJsonObject();

    assertThat(body.getInteger("expires_in")).isEqualTo(90);
    JsonObject claims = claimsOf(body.getString("access_token"));
    assertThat(claims.getLong("exp") - claims.getLong("iat")).isEqualTo(90);
  }

  @Test
  void mintedCallerTokensFollowEntraClaimLayout() {
    String clientId = sandbox.clientId();
    JsonObject appV2 = claimsOf(sandbox.identity().mintApplicationToken("app-3", List.of("R"), TokenVersion.V2,
        Duration.ofMinutes(5)));
    JsonObject appV1 = claimsOf(sandbox.identity().mintApplicationToken("app-3", List.of("R"), TokenVersion.V1,
        Duration.ofMinutes(5)));
    JsonObject user = claimsOf(sandbox.identity().mintUserToken(SandboxSeed.MEGAN, List.of("A", "B"),
        List.of(), TokenVersion.V2, Duration.ofMinutes(5)));

    assertThat(appV2.getString("aud")).isEqualTo(clientId);
    assertThat(appV2.getString("azp")).isEqualTo("app-3");
    assertThat(appV2.getString("idtyp")).isEqualTo("app");
    assertThat(appV2.containsKey("scp")).isFalse();
    assertThat(appV2.getString("oid")).isEqualTo(appV1.getString("oid")).isNotEqualTo(
        claimsOf(sandbox.identity().mintApplicationToken("app-4", List.of("R"), TokenVersion.V2,
            Duration.ofMinutes(5))).getString("oid"));
    assertThat(appV1.getString("aud")).isEqualTo("api://" + clientId);
    assertThat(appV1.getString("iss")).isEqualTo("https://sts.windows.net/" + sandbox.tenantId() + "/");
    assertThat(appV1.getString("appid")).isEqualTo("app-3");
    assertThat(appV1.getString("ver")).isEqualTo("1.0");
    assertThat(user.getString("scp")).isEqualTo("A B");
    assertThat(user.getString("oid")).isEqualTo(SandboxSeed.MEGAN.id());
    assertThat(user.getString("upn")).isEqualTo(SandboxSeed.MEGAN.userPrincipalName());
    assertThat(user.getString("preferred_username")).isEqualTo(SandboxSeed.MEGAN.userPrincipalName());
    assertThat(user.getString("name")).isEqualTo("Megan Bowen");
    assertThat(user.containsKey("idtyp")).isFalse();
    assertThat(user.containsKey("roles")).isFalse();
    for (JsonObject claims : List.of(appV2, appV1, user)) {
      assertThat(claims.fieldNames()).contains("tid", "oid", "iat", "nbf", "exp");
    }
  }

  @Test
  void hostileTokensAreRejectedByGraphCheck() {
    JsonObject claims = claimsOf(graphToken);
    String unsigned = sandbox.identity().mint(new JsonObject().put("alg", "none").put("typ", "JWT"), claims);
    String unknownKid = sandbox.identity().mint(
        new JsonObject().put("alg", "RS256").put("kid", "someone-elses-key"), claims);
    String wrongAudience = sandbox.identity().mint(claims.copy().put("aud", sandbox.clientId()));
    String expired = sandbox.identity().mint(claims.copy().put("exp", Instant.now().getEpochSecond() - 10));

    assertThat(unsigned).endsWith(".");
    for (String token : List.of(unsigned, unknownKid, wrongAudience, expired, "garbage")) {
      assertThat(sandbox.identity().verifyGraphToken(token)).as(token).isFalse();
    }
    assertThat(sandbox.identity().verifyGraphToken("Bearer " + graphToken)).isTrue();
  }

  @Test
  void rotatedKeyReplacesJwksWhileRecentTokensStayValid() {
    String before = clientCredentials().bodyAsJsonObject().getString("access_token");
    String oldKid = sandbox.identity().currentKid();

    await(sandbox.identity().rotateKey());

    JsonArray keys = get("/" + sandbox.tenantId() + "/discovery/v2.0/keys").bodyAsJsonObject().getJsonArray("keys");
    assertThat(sandbox.identity().currentKid()).isNotEqualTo(oldKid);
    assertThat(keys).hasSize(1);
    assertThat(keys.getJsonObject(0).getString("kid")).isEqualTo(sandbox.identity().currentKid());
    assertThat(sandbox.identity().verifyGraphToken(before)).as("previous key still trusted").isTrue();

    await(sandbox.identity().rotateKey());

    assertThat(sandbox.identity().verifyGraphToken(before)).as("two rotations ago").isFalse();
    String after = clientCredentials().bodyAsJsonObject().getString("access_token");
    assertThat(headerOf(after).getString("kid")).isEqualTo(sandbox.identity().currentKid());
    assertThat(send(graphAs(HttpMethod.GET, "/beta/users/" + SandboxSeed.ADELE.id(), after)).statusCode())
        .isEqualTo(200);
    graphToken = after; // later tests in this class use the fresh token
  }

  private MultiMap form(String grant, String clientId, String secret, String scope) {
    return MultiMap.caseInsensitiveMultiMap().add("grant_type", grant).add("client_id", clientId)
        .add("client_secret", secret).add("scope", scope);
  }

  private MultiMap obo(String assertion) {
    return form(TokenEndpoint.JWT_BEARER, sandbox.clientId(), sandbox.clientSecret(),
        sandbox.graphBaseUrl() + "/.default").add("requested_token_use", "on_behalf_of").add("assertion", assertion);
  }

  private static PublicKey rsaKey(JsonObject jwk) throws Exception {
    Base64.Decoder decoder = Base64.getUrlDecoder();
    return KeyFactory.getInstance("RSA").generatePublic(new RSAPublicKeySpec(
        new BigInteger(1, decoder.decode(jwk.getString("n"))), new BigInteger(1, decoder.decode(jwk.getString("e")))));
  }

  private static boolean rs256Valid(String token, PublicKey key) throws Exception {
    int lastDot = token.lastIndexOf('.');
    Signature verifier = Signature.getInstance("SHA256withRSA");
    verifier.initVerify(key);
    verifier.update(token.substring(0, lastDot).getBytes(StandardCharsets.US_ASCII));
    return verifier.verify(Base64.getUrlDecoder().decode(token.substring(lastDot + 1)));
  }
}
