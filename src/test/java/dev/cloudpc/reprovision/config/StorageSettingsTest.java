package dev.cloudpc.reprovision.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** AzureWebJobsStorage in each form the Functions host accepts, and refusals that name the setting. */
class StorageSettingsTest {
  private static final String KEY = "c2VjcmV0LWtleS1ieXRlcw==";

  @Test
  void unsetKeepsTheStateInMemory() {
    assertThat(settings(Map.of()).stateStore()).isEmpty();
    assertThat(settings(Map.of()).stateTable()).isEqualTo("CloudPcReprovisionState");
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
  void identityBasedConnectionsUseTheManagedIdentity() {
    Map<String, String> identity = Map.of("IDENTITY_ENDPOINT", "http://127.0.0.1:41000/msi/token",
        "IDENTITY_HEADER", "h");
    Map<String, String> byName = new HashMap<>(identity);
    byName.put("AzureWebJobsStorage__accountName", "fnstate");
    byName.put("AzureWebJobsStorage__clientId", "9d8c7b6a-5e4f-4a3b-8c2d-1e0f9a8b7c6d");
    StorageConnection c = settings(byName).stateStore().orElseThrow();
    assertThat(c.tableEndpoint()).isEqualTo(URI.create("https://fnstate.table.core.windows.net"));
    assertThat(c.accountKey()).isEmpty();
    assertThat(c.identityClientId()).contains("9d8c7b6a-5e4f-4a3b-8c2d-1e0f9a8b7c6d");

    Map<String, String> byUri = new HashMap<>(identity);
    byUri.put("AzureWebJobsStorage__tableServiceUri", "https://fnstate.table.core.usgovcloudapi.net");
    byUri.put("AzureWebJobsStorage", "ignored when the identity-based form is set");
    assertThat(settings(byUri).stateStore().map(StorageConnection::accountName)).isEqualTo(Optional.of("fnstate"));
  }

  @Test
  void refusalsNameTheSetting() {
    assertThatThrownBy(() -> settings(Map.of("AzureWebJobsStorage", "BlobEndpoint=https://x;SharedAccessSignature=sv=1")))
        .isInstanceOf(SettingsException.class).hasMessageContaining("AzureWebJobsStorage").hasMessageContaining("SAS");
    assertThatThrownBy(() -> settings(Map.of("AzureWebJobsStorage", "AccountName=a;AccountKey=not base64!")))
        .isInstanceOf(SettingsException.class).hasMessageContaining("base64");
    assertThatThrownBy(() -> settings(Map.of("AzureWebJobsStorage__accountName", "fnstate")))
        .isInstanceOf(SettingsException.class).hasMessageContaining("AzureWebJobsStorage__accountName")
        .hasMessageContaining("IDENTITY_ENDPOINT");
    assertThatThrownBy(() -> settings(Map.of("AzureWebJobsStorage", "AccountName=a;AccountKey=" + KEY
        + ";TableEndpoint=http://storage.example.com")))
        .isInstanceOf(SettingsException.class).hasMessageContaining("https");
    assertThatThrownBy(() -> settings(Map.of("REPROVISION_STATE_TABLE", "state-table")))
        .isInstanceOf(SettingsException.class).hasMessageContaining("REPROVISION_STATE_TABLE");
  }

  private static Settings settings(Map<String, String> extra) {
    Map<String, String> env = new HashMap<>(Map.of("AZURE_TENANT_ID", "5b1e6c2a-7d4f-4c3b-9a8e-2f6d1c0b9e37",
        "AZURE_CLIENT_ID", "0c7e4b2a-9f13-4d58-b6e1-2a8d5c9f0e74", "AZURE_CLIENT_SECRET", "s"));
    env.putAll(extra);
    return Settings.fromEnvironment(env);
  }
}
