package dev.cloudpc.reprovision.sandbox;

import static dev.cloudpc.reprovision.support.Await.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class SandboxTenantTest extends SandboxTestBase {

  @Override
  SandboxOptions options() {
    return super.options().withFunctionKey("fixed-key_123");
  }

  @Test
  void environmentPointsTheProductAtTheSandbox() {
    assertThat(sandbox.environment()).containsExactly(
        java.util.Map.entry("AZURE_TENANT_ID", SandboxOptions.DEFAULT_TENANT_ID),
        java.util.Map.entry("AZURE_CLIENT_ID", SandboxOptions.DEFAULT_CLIENT_ID),
        java.util.Map.entry("AZURE_CLIENT_SECRET", sandbox.clientSecret()),
        java.util.Map.entry("AZURE_AUTHORITY_HOST", sandbox.identityBaseUrl().toString()),
        java.util.Map.entry("GRAPH_BASE_URL", sandbox.graphBaseUrl().toString()),
        java.util.Map.entry("GRAPH_CREDENTIAL", "client-secret"),
        java.util.Map.entry("FUNCTION_KEY", "fixed-key_123"));
    assertThat(sandbox.identityBaseUrl().toString()).matches("http://127\\.0\\.0\\.1:\\d+");
    assertThat(sandbox.graphBaseUrl().getPort()).isNotEqualTo(sandbox.identityBaseUrl().getPort());
    assertThat(sandbox.clientSecret()).hasSizeGreaterThanOrEqualTo(32);
  }

  @Test
  void bannerHasKeyTokensPcsAndWorkingCurlLines() {
    String banner = sandbox.banner("http://127.0.0.1:7071/api/", "IMPORT-LINES");

    assertThat(banner).contains("fixed-key_123");
    for (String id : SandboxSeed.ADELE_CLOUD_PCS) {
      assertThat(banner).contains(id);
    }
    assertThat(banner).contains(SandboxSeed.MEGAN.userPrincipalName(), "provisioned");
    assertThat(banner).contains("IMPORT-LINES", "http://127.0.0.1:7071/api/openapi.json");
    List<String> curls = banner.lines().filter(line -> line.startsWith("curl ")).toList();
    assertThat(curls).hasSize(3);
    assertThat(curls.get(0)).contains("-X POST \"http://127.0.0.1:7071/api/cloudpcs/")
        .contains("/reprovision\"", "-H \"x-functions-key: fixed-key_123\"", "-H \"Content-Type: application/json\"",
            "-d '{\"osVersion\":\"windows11\"}'");
    assertThat(curls.get(1)).contains("-X POST \"http://127.0.0.1:7071/api/me/cloudpcs/"
        + SandboxSeed.ADELE_CLOUD_PCS.get(0) + "/reprovision\"");
    assertThat(curls.get(2)).startsWith("curl -i \"http://127.0.0.1:7071/api/cloudpcs/");

    JsonObject admin = claimsOf(bearerIn(curls.get(0)));
    JsonObject adele = claimsOf(bearerIn(curls.get(1)));
    assertThat(admin.getJsonArray("roles")).containsExactly(SandboxTenant.ADMIN_ROLE);
    assertThat(admin.getString("aud")).isEqualTo(sandbox.clientId());
    assertThat(admin.getLong("exp") - admin.getLong("iat")).isEqualTo(Duration.ofHours(12).toSeconds());
    assertThat(adele.getString("scp")).isEqualTo(SandboxTenant.SELF_SCOPE);
    assertThat(adele.getString("oid")).isEqualTo(SandboxSeed.ADELE.id());
    assertThat(banner).contains(bearerIn(curls.get(0)), bearerIn(curls.get(1)));
  }

  @Test
  void optionsAreValidated() {
    SandboxOptions defaults = SandboxOptions.defaults();

    assertThat(defaults.rebuildTime()).isEqualTo(Duration.ofSeconds(20));
    assertThat(defaults.latency()).isZero();
    assertThat(defaults.extraCloudPcs()).isZero();
    assertThat(defaults.functionKey()).isEmpty();
    assertThatThrownBy(() -> defaults.withExtraCloudPcs(-1)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> defaults.withLatency(Duration.ofMillis(-1)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> defaults.withFunctionKey(" ")).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void independentSandboxesGetOwnPortsSecretsAndTenant() {
    SandboxTenant other = await(SandboxTenant.start(vertx, SandboxOptions.defaults()
        .withTenantId("aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee")));
    try {
      assertThat(other.graphBaseUrl()).isNotEqualTo(sandbox.graphBaseUrl());
      assertThat(other.clientSecret()).isNotEqualTo(sandbox.clientSecret());
      assertThat(other.functionKey()).isNotEqualTo(sandbox.functionKey());
      String foreign = other.identity().mint(claimsOf(graphToken).put("aud", sandbox.graphBaseUrl().toString()));
      assertThat(sandbox.identity().verifyGraphToken(foreign)).as("signed by another sandbox").isFalse();
    } finally {
      await(other.close());
    }
  }

  private static String bearerIn(String curl) {
    Matcher matcher = Pattern.compile("Authorization: Bearer ([A-Za-z0-9_.-]+)\"").matcher(curl);
    assertThat(matcher.find()).isTrue();
    return matcher.group(1);
  }
}
