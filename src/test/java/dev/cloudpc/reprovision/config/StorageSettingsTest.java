package dev.cloudpc.reprovision.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * AzureWebJobsStorage in each form the Functions host accepts — a connection string, the development storage, and the
 * identity-based settings as Microsoft's templates write them — each yielding the Table endpoint; and every form that
 * leaves the Table open stops start-up naming the setting to add instead of keeping the state in memory.
 */
class StorageSettingsTest {
  private static final String KEY = "c2VjcmV0LWtleS1ieXRlcw==";
  private static final String CLIENT_ID = "9d8c7b6a-5e4f-4a3b-8c2d-1e0f9a8b7c6d";
  private static final Map<String, String> MANAGED_IDENTITY = Map.of(
      "IDENTITY_ENDPOINT", "http://127.0.0.1:41000/msi/token", "IDENTITY_HEADER", "h");

  @Test
  void unsetKeepsTheStateInMemory() {
    assertThat(settings(Map.of()).stateStore()).isEmpty();
    assertThat(settings(Map.of()).stateTable()).isEqualTo("CloudPcReprovisionState");
    assertThat(settings(Map.of("AzureWebJobsStorage", " ", "AzureWebJobsStorage__accountName", "")).stateStore())
        .as("blank values count as unset").isEmpty();
  }

  @Test
  void developmentStorageIsAzuriteWithItsWellKnownAccount() {
    StorageConnection c = settings(Map.of("AzureWebJobsStorage", "UseDevelopmentStorage=true")).stateStore()
        .orElseThrow();
    assertThat(c.tableEndpoint()).isEqualTo(URI.create("http://127.0.0.1:10002/devstoreaccount1"));
    assertThat(c.accountName()).isEqualTo("devstoreaccount1");
    assertThat(c.accountKey().orElseThrow().value()).isEqualTo(StorageConnection.DEV_KEY);
  }

  @Test
  void aConnectionStringGivesTheAccountsTableEndpointAndKey() {
    StorageConnection c = settings(Map.of("AzureWebJobsStorage", "DefaultEndpointsProtocol=https;AccountName=fnstate;"
        + "AccountKey=" + KEY + ";EndpointSuffix=core.windows.net")).stateStore().orElseThrow();
    assertThat(c.tableEndpoint()).isEqualTo(URI.create("https://fnstate.table.core.windows.net"));
    assertThat(c.accountKey()).contains(new Secret(KEY));
    assertThat(c.toString()).doesNotContain(KEY);
  }

  @Test
  void aConnectionStringsEndpointSuffixAndExplicitTableEndpointAreHonoured() {
    assertThat(table(Map.of("AzureWebJobsStorage", "AccountName=fnstate;AccountKey=" + KEY
        + ";EndpointSuffix=core.usgovcloudapi.net"))).isEqualTo("https://fnstate.table.core.usgovcloudapi.net");
    assertThat(table(Map.of("AzureWebJobsStorage", "AccountName=fnstate;AccountKey=" + KEY
        + ";TableEndpoint=https://tables.contoso.example/"))).isEqualTo("https://tables.contoso.example");
  }

  /** Microsoft's Flex Consumption quickstarts (azd templates) set exactly these four: no Table URI among them. */
  @Test
  void theFlexConsumptionQuickstartSetDerivesTheTableFromTheBlobAndQueueUris() {
    StorageConnection c = identityBased(Map.of(
        "AzureWebJobsStorage__credential", "managedidentity",
        "AzureWebJobsStorage__clientId", CLIENT_ID,
        "AzureWebJobsStorage__blobServiceUri", "https://stfnapi7x2k.blob.core.windows.net/",
        "AzureWebJobsStorage__queueServiceUri", "https://stfnapi7x2k.queue.core.windows.net/"));
    assertThat(c.tableEndpoint()).isEqualTo(URI.create("https://stfnapi7x2k.table.core.windows.net"));
    assertThat(c.accountName()).isEqualTo("stfnapi7x2k");
    assertThat(c.accountKey()).isEmpty();
    assertThat(c.identity()).contains(UserAssignedIdentity.byClientId("AzureWebJobsStorage__clientId", CLIENT_ID));
  }

  @ParameterizedTest(name = "{0} = {1}")
  @CsvSource({
      "AzureWebJobsStorage__blobServiceUri, https://fnstate.blob.core.usgovcloudapi.net, "
          + "https://fnstate.table.core.usgovcloudapi.net",
      "AzureWebJobsStorage__queueServiceUri, https://fnstate.queue.core.windows.net, "
          + "https://fnstate.table.core.windows.net",
      "AzureWebJobsStorage__blobServiceUri, https://fnstate.z41.blob.storage.azure.net/, "
          + "https://fnstate.z41.table.storage.azure.net",
      "AzureWebJobsStorage__tableServiceUri, https://fnstate.table.core.usgovcloudapi.net, "
          + "https://fnstate.table.core.usgovcloudapi.net",
      "AzureWebJobsStorage__accountName, fnstate, https://fnstate.table.core.windows.net",
      "azurewebjobsstorage__ACCOUNTNAME, fnstate, https://fnstate.table.core.windows.net"})
  void eachIdentityBasedFormYieldsTheTableEndpoint(String setting, String value, String table) {
    StorageConnection c = identityBased(Map.of(setting, value));
    assertThat(c.tableEndpoint()).isEqualTo(URI.create(table));
    assertThat(c.identity()).isEmpty();
    assertThat(c.source()).isEqualTo(setting);
  }

  @Test
  void inAzureGovernmentAnAccountNameGetsThatCloudsSuffix() {
    assertThat(table(Map.of("AZURE_CLOUD", "AzureUSGovernment", "AzureWebJobsStorage__accountName", "fnstate",
        "IDENTITY_ENDPOINT", "http://127.0.0.1:41000/msi/token", "IDENTITY_HEADER", "h")))
        .isEqualTo("https://fnstate.table.core.usgovcloudapi.net");
  }

  @Test
  void aTableUriWinsOverTheDerivedOneAndAResourceIdNamesTheIdentity() {
    String resourceId = "/subscriptions/0000/resourceGroups/rg/providers/Microsoft.ManagedIdentity/"
        + "userAssignedIdentities/id-api";
    StorageConnection c = identityBased(Map.of(
        "AzureWebJobsStorage__blobServiceUri", "https://fnstate.blob.core.windows.net",
        "AzureWebJobsStorage__tableServiceUri", "https://other.table.core.windows.net",
        "AzureWebJobsStorage__managedIdentityResourceId", resourceId));
    assertThat(c.tableEndpoint()).isEqualTo(URI.create("https://other.table.core.windows.net"));
    assertThat(c.identity()).contains(UserAssignedIdentity.byResourceId(
        "AzureWebJobsStorage__managedIdentityResourceId", resourceId));
    assertThat(c.identity().orElseThrow().queryParameter()).isEqualTo("mi_res_id");
  }

  /** The host's rule: a setting that matches exactly wins over settings that only share its prefix. */
  @Test
  void aConnectionStringWinsOverIdentityBasedSettings() {
    StorageConnection c = settings(Map.of("AzureWebJobsStorage", "UseDevelopmentStorage=true",
        "AzureWebJobsStorage__accountName", "fnstate")).stateStore().orElseThrow();
    assertThat(c.accountName()).isEqualTo("devstoreaccount1");
    assertThat(c.source()).isEqualTo("AzureWebJobsStorage");
  }

  @Test
  void identityBasedSettingsWithoutAnAccountNameTheSettingToAdd() {
    assertThatThrownBy(() -> identityBased(Map.of("AzureWebJobsStorage__credential", "managedidentity",
        "AzureWebJobsStorage__clientId", CLIENT_ID)))
        .isInstanceOf(SettingsException.class).hasMessageStartingWith("AzureWebJobsStorage__tableServiceUri: ")
        .hasMessageContaining("AzureWebJobsStorage__accountName").hasMessageContaining("in memory");
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({
      "custom domain,  https://state.contoso.example",
      "private link,   https://fnstate.privatelink.blob.core.windows.net",
      "emulator,       http://127.0.0.1:10000/devstoreaccount1",
      "queue host,     https://fnstate.queue.core.windows.net"})
  void aBlobUriTheTableCannotBeDerivedFromNamesTheTableUri(String what, String blobUri) {
    assertThatThrownBy(() -> identityBased(Map.of("AzureWebJobsStorage__blobServiceUri", blobUri)))
        .isInstanceOf(SettingsException.class).hasMessageStartingWith("AzureWebJobsStorage__tableServiceUri: ")
        .hasMessageContaining("AzureWebJobsStorage__blobServiceUri").hasMessageContaining("cannot be derived");
  }

  @Test
  void refusalsNameTheSetting() {
    assertThatThrownBy(() -> identityBased(Map.of(
        "AzureWebJobsStorage__blobServiceUri", "https://one.blob.core.windows.net",
        "AzureWebJobsStorage__queueServiceUri", "https://two.queue.core.windows.net")))
        .isInstanceOf(SettingsException.class).hasMessageStartingWith("AzureWebJobsStorage__tableServiceUri: ")
        .hasMessageContaining("different storage accounts");
    assertThatThrownBy(() -> identityBased(Map.of("AzureWebJobsStorage__accountName", "two",
        "AzureWebJobsStorage__blobServiceUri", "https://one.blob.core.windows.net")))
        .isInstanceOf(SettingsException.class).hasMessageStartingWith("AzureWebJobsStorage__accountName: ");
    assertThatThrownBy(() -> identityBased(Map.of("AzureWebJobsStorage__accountName", "Not_An_Account")))
        .isInstanceOf(SettingsException.class).hasMessageStartingWith("AzureWebJobsStorage__accountName: ");
    assertThatThrownBy(() -> identityBased(Map.of("AzureWebJobsStorage__accountName", "fnstate",
        "AzureWebJobsStorage__credential", "connectionstring")))
        .isInstanceOf(SettingsException.class).hasMessageStartingWith("AzureWebJobsStorage__credential: ")
        .hasMessageContaining("managedidentity");
    assertThatThrownBy(() -> identityBased(Map.of("AzureWebJobsStorage__accountName", "fnstate",
        "AzureWebJobsStorage__clientId", CLIENT_ID, "AzureWebJobsStorage__managedIdentityResourceId", "/sub/x")))
        .isInstanceOf(SettingsException.class).hasMessageContaining("not both");
    assertThatThrownBy(() -> identityBased(Map.of("AzureWebJobsStorage__accountName", "fnstate",
        "AzureWebJobsStorage__clientSecret", "s3cr3t-value")))
        .isInstanceOf(SettingsException.class).hasMessageStartingWith("AzureWebJobsStorage__clientSecret: ")
        .hasMessageNotContaining("s3cr3t-value");
    assertThatThrownBy(() -> settings(Map.of("AzureWebJobsStorage__blobServiceUri",
        "https://fnstate.blob.core.windows.net")))
        .isInstanceOf(SettingsException.class).hasMessageStartingWith("AzureWebJobsStorage__blobServiceUri: ")
        .hasMessageContaining("IDENTITY_ENDPOINT");
    assertThatThrownBy(() -> settings(Map.of("AzureWebJobsStorage", "BlobEndpoint=https://x;SharedAccessSignature=sv=1")))
        .isInstanceOf(SettingsException.class).hasMessageContaining("AzureWebJobsStorage").hasMessageContaining("SAS");
    assertThatThrownBy(() -> settings(Map.of("AzureWebJobsStorage", "AccountName=a;AccountKey=not base64!")))
        .isInstanceOf(SettingsException.class).hasMessageContaining("base64");
    assertThatThrownBy(() -> settings(Map.of("AzureWebJobsStorage", "AccountName=a;AccountKey=" + KEY
        + ";TableEndpoint=http://storage.example.com")))
        .isInstanceOf(SettingsException.class).hasMessageContaining("https");
    assertThatThrownBy(() -> settings(Map.of("REPROVISION_STATE_TABLE", "state-table")))
        .isInstanceOf(SettingsException.class).hasMessageContaining("REPROVISION_STATE_TABLE");
  }

  private static StorageConnection identityBased(Map<String, String> storage) {
    Map<String, String> env = new HashMap<>(MANAGED_IDENTITY);
    env.putAll(storage);
    StorageConnection c = settings(env).stateStore().orElseThrow();
    assertThat(c.accountKey()).isEmpty();
    return c;
  }

  private static String table(Map<String, String> storage) {
    return settings(storage).stateStore().map(c -> c.tableEndpoint().toString()).orElse(null);
  }

  private static Settings settings(Map<String, String> extra) {
    Map<String, String> env = new HashMap<>(Map.of("AZURE_TENANT_ID", "5b1e6c2a-7d4f-4c3b-9a8e-2f6d1c0b9e37",
        "AZURE_CLIENT_ID", "0c7e4b2a-9f13-4d58-b6e1-2a8d5c9f0e74", "AZURE_CLIENT_SECRET", "s"));
    env.putAll(extra);
    return Settings.fromEnvironment(env);
  }
}
