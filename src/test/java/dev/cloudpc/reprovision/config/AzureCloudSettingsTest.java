package dev.cloudpc.reprovision.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * AZURE_CLOUD sets the authority, Graph host and v1 issuer together; explicit settings win; clouds where Graph does
 * not offer Cloud PC reprovisioning stop start-up. And every bad setting is refused with a message naming it.
 */
class AzureCloudSettingsTest {
  private static final String TENANT = "5b1e6c2a-7d4f-4c3b-9a8e-2f6d1c0b9e37";
  private static final String SECRET = "s3cr3t-value-that-must-not-leak";

  @Test
  void publicCloudIsTheDefault() {
    Settings settings = settings(Map.of());

    assertThat(settings.cloud()).isEqualTo(AzureCloud.AZURE_PUBLIC_CLOUD);
    assertThat(settings.authorityHost()).isEqualTo(URI.create("https://login.microsoftonline.com"));
    assertThat(settings.graphBaseUrl()).isEqualTo(URI.create("https://graph.microsoft.com"));
    assertThat(settings.v2Issuer()).isEqualTo("https://login.microsoftonline.com/" + TENANT + "/v2.0");
    assertThat(settings.v1Issuer()).isEqualTo("https://sts.windows.net/" + TENANT + "/");
    assertThat(settings.graphScope()).isEqualTo("https://graph.microsoft.com/.default");
  }

  @ParameterizedTest
  @ValueSource(strings = {"AzureUSGovernment", "azureusgovernment", " AzureUSGovernment "})
  void usGovernmentPointsAtItsAuthorityAndGraphTogether(String name) {
    Settings settings = settings(Map.of("AZURE_CLOUD", name));

    assertThat(settings.cloud()).isEqualTo(AzureCloud.AZURE_US_GOVERNMENT);
    assertThat(settings.authorityHost()).isEqualTo(URI.create("https://login.microsoftonline.us"));
    assertThat(settings.graphBaseUrl()).isEqualTo(URI.create("https://graph.microsoft.us"));
    assertThat(settings.openIdConfigurationUri()).isEqualTo(URI.create("https://login.microsoftonline.us/" + TENANT
        + "/v2.0/.well-known/openid-configuration"));
    assertThat(settings.tokenEndpoint())
        .isEqualTo(URI.create("https://login.microsoftonline.us/" + TENANT + "/oauth2/v2.0/token"));
    assertThat(settings.graphScope()).isEqualTo("https://graph.microsoft.us/.default");
    assertThat(settings.v2Issuer()).isEqualTo("https://login.microsoftonline.us/" + TENANT + "/v2.0");
    // Entra's v1 tokens name sts.windows.net in US Government too (only the v2 issuer follows the authority).
    assertThat(settings.v1Issuer()).isEqualTo("https://sts.windows.net/" + TENANT + "/");
  }

  @Test
  void explicitEndpointsStillWinOverTheCloud() {
    Settings settings = settings(Map.of(
        "AZURE_CLOUD", "AzureUSGovernment",
        "AZURE_AUTHORITY_HOST", "https://login.example.us/",
        "GRAPH_BASE_URL", "http://127.0.0.1:8443",
        "AZURE_V1_ISSUER_HOST", "https://sts.example.us"));

    assertThat(settings.cloud()).isEqualTo(AzureCloud.AZURE_US_GOVERNMENT);
    assertThat(settings.authorityHost()).isEqualTo(URI.create("https://login.example.us"));
    assertThat(settings.graphBaseUrl()).isEqualTo(URI.create("http://127.0.0.1:8443"));
    assertThat(settings.v1Issuer()).isEqualTo("https://sts.example.us/" + TENANT + "/");
  }

  @ParameterizedTest
  @ValueSource(strings = {"AzureChinaCloud", "AzureUSGovernmentDoD", "AzureDOD", "AzureDoD", "azurechinacloud"})
  void cloudsWithoutCloudPcReprovisionStopStartUp(String name) {
    assertRefused(env(Map.of("AZURE_CLOUD", name)), "AZURE_CLOUD", name, "reprovision", "AzurePublicCloud",
        "AzureUSGovernment");
  }

  @ParameterizedTest
  @CsvSource({
      "GRAPH_BASE_URL, https://dod-graph.microsoft.us",
      "GRAPH_BASE_URL, https://microsoftgraph.chinacloudapi.cn",
      "AZURE_AUTHORITY_HOST, https://login.chinacloudapi.cn"})
  void explicitHostsOfThoseCloudsAreRefusedToo(String setting, String url) {
    assertRefused(env(Map.of(setting, url)), setting, "DoD", "China", "reprovisioning");
  }

  @ParameterizedTest
  @ValueSource(strings = {"AzureMoon", "AzureGermanCloud", "USGov"})
  void unknownCloudNamesStopStartUp(String name) {
    assertRefused(env(Map.of("AZURE_CLOUD", name)), "AZURE_CLOUD", name, "not a known cloud", "AzurePublicCloud",
        "AzureUSGovernment");
  }

  @Test
  void tenantIsRequiredAndMustBeAGuid() {
    assertRefused(without("AZURE_TENANT_ID"), "AZURE_TENANT_ID", "required");
    assertRefused(env(Map.of("AZURE_TENANT_ID", "contoso.onmicrosoft.com")), "AZURE_TENANT_ID", "GUID");
    assertRefused(env(Map.of("AZURE_TENANT_ID", "   ")), "AZURE_TENANT_ID", "required");
  }

  @Test
  void clientIdIsRequired() {
    assertRefused(without("AZURE_CLIENT_ID"), "AZURE_CLIENT_ID", "required");
  }

  @ParameterizedTest
  @ValueSource(strings = {"http://graph.example.com", "http://127.0.0.1.example.com", "http://localhost.example.com",
      "http://10.0.0.5"})
  void plainHttpIsRefusedForAnythingButLoopback(String url) {
    assertRefused(env(Map.of("GRAPH_BASE_URL", url)), "GRAPH_BASE_URL", "loopback");
  }

  @ParameterizedTest
  @ValueSource(strings = {"http://127.0.0.1:8080", "http://localhost:8080", "http://[::1]:8080"})
  void plainHttpIsAllowedOnLoopback(String url) {
    assertThat(settings(Map.of("GRAPH_BASE_URL", url)).graphBaseUrl()).isEqualTo(URI.create(url));
  }

  @Test
  void malformedEndpointsAreRefused() {
    assertRefused(env(Map.of("GRAPH_BASE_URL", "ftp://graph.microsoft.com")), "GRAPH_BASE_URL", "https");
    assertRefused(env(Map.of("GRAPH_BASE_URL", "graph.microsoft.com")), "GRAPH_BASE_URL", "absolute URL");
    assertRefused(env(Map.of("AZURE_AUTHORITY_HOST", "https://login.microsoftonline.com?x=1")),
        "AZURE_AUTHORITY_HOST", "query");
  }

  @Test
  void graphApiVersionIsBetaOrV1() {
    assertThat(settings(Map.of("GRAPH_API_VERSION", "v1.0")).graphApiVersion()).isEqualTo("v1.0");
    assertRefused(env(Map.of("GRAPH_API_VERSION", "v2")), "GRAPH_API_VERSION", "beta or v1.0");
  }

  @Test
  void clientSecretIsRequiredForTheCredentialsThatUseIt() {
    Map<String, String> noSecret = without("AZURE_CLIENT_SECRET");
    noSecret.put("GRAPH_CREDENTIAL", "client-secret");
    assertRefused(noSecret, "AZURE_CLIENT_SECRET", "client-secret");
    noSecret.put("GRAPH_CREDENTIAL", "on-behalf-of");
    assertRefused(noSecret, "AZURE_CLIENT_SECRET", "on-behalf-of");
    noSecret.remove("GRAPH_CREDENTIAL"); // no IDENTITY_ENDPOINT either, so client-secret is the default
    assertRefused(noSecret, "AZURE_CLIENT_SECRET", "client-secret");
  }

  @Test
  void managedIdentityNeedsThePlatformsEndpointAndHeader() {
    String endpoint = "http://127.0.0.1:41234/msi";
    assertRefused(env(Map.of("GRAPH_CREDENTIAL", "managed-identity")), "IDENTITY_ENDPOINT", "managed identity");
    assertRefused(env(Map.of("GRAPH_CREDENTIAL", "managed-identity", "IDENTITY_ENDPOINT", endpoint)),
        "IDENTITY_HEADER", "managed-identity");

    Settings detected = settings(Map.of("IDENTITY_ENDPOINT", endpoint, "IDENTITY_HEADER", "h"));
    assertThat(detected.graphCredential()).isEqualTo(GraphCredentialKind.MANAGED_IDENTITY);
  }

  @Test
  void unknownCredentialIsRefusedWithTheChoices() {
    assertRefused(env(Map.of("GRAPH_CREDENTIAL", "certificate")), "GRAPH_CREDENTIAL", "managed-identity",
        "client-secret", "on-behalf-of");
  }

  @Test
  void secretsNeverShowInTheSettingsOrTheirErrors() {
    Settings settings = settings(Map.of("FUNCTION_KEY", "function-key-value"));
    assertThat(settings.toString()).doesNotContain(SECRET).doesNotContain("function-key-value");

    assertThatThrownBy(() -> Settings.fromEnvironment(env(Map.of("GRAPH_API_VERSION", "v9"))))
        .hasMessageNotContaining(SECRET);
  }

  private static Map<String, String> base() {
    return Map.of(
        "AZURE_TENANT_ID", TENANT,
        "AZURE_CLIENT_ID", "0c9f1e2d-3b4a-4c5d-8e6f-7a8b9c0d1e2f",
        "AZURE_CLIENT_SECRET", SECRET);
  }

  private static Map<String, String> env(Map<String, String> overrides) {
    Map<String, String> env = new HashMap<>(base());
    env.putAll(overrides);
    return env;
  }

  private static Map<String, String> without(String setting) {
    Map<String, String> env = new HashMap<>(base());
    env.remove(setting);
    return env;
  }

  private static Settings settings(Map<String, String> overrides) {
    return Settings.fromEnvironment(env(overrides));
  }

  /** Start-up is refused with a SettingsException that names the setting and says what is expected. */
  private static void assertRefused(Map<String, String> env, String setting, String... mentions) {
    assertThatThrownBy(() -> Settings.fromEnvironment(env))
        .isInstanceOfSatisfying(SettingsException.class, e -> {
          assertThat(e.setting()).isEqualTo(setting);
          assertThat(e.getMessage()).startsWith(setting + ": ").contains(mentions);
        });
  }
}
