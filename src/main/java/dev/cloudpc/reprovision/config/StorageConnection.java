package dev.cloudpc.reprovision.config;

import java.net.URI;
import java.util.Base64;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Where the shared state lives: the Table service of the function app's own storage account, read from
 * {@code AzureWebJobsStorage} the way the Functions host reads it — a connection string with an account key,
 * {@code UseDevelopmentStorage=true} (Azurite), or an identity-based connection ({@code AzureWebJobsStorage__tableServiceUri}
 * or {@code __accountName}, authorised with the managed identity). Learn: "Configure an Azure Storage connection
 * string" and "Azure Functions: identity-based connections".
 *
 * @param tableEndpoint the Table service root; for Azurite it ends with the account name (path-style URLs)
 * @param accountKey    the account key (Shared Key signing), or empty for the managed identity
 * @param identityClientId a user-assigned identity's client id ({@code AzureWebJobsStorage__clientId})
 */
public record StorageConnection(URI tableEndpoint, String accountName, Optional<Secret> accountKey,
                                Optional<String> identityClientId) {

  static final String SETTING = "AzureWebJobsStorage";
  /** Azurite's published development account and key (Learn: "Use the Azurite emulator", well-known key). */
  public static final String DEV_ACCOUNT = "devstoreaccount1";
  public static final String DEV_KEY =
      "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

  @Override
  public String toString() {
    return tableEndpoint + (accountKey.isPresent() ? " (account key)" : " (managed identity)");
  }

  /** Empty when no storage is configured (the local host): the state then stays in memory. */
  static Optional<StorageConnection> fromSettings(Map<String, String> values, AzureCloud cloud) {
    // Learn: "Azure Government developer guide" — storage endpoints end with core.usgovcloudapi.net there.
    String storageSuffix = cloud == AzureCloud.AZURE_US_GOVERNMENT ? "core.usgovcloudapi.net" : "core.windows.net";
    String tableUri = value(values, SETTING + "__tableServiceUri");
    String accountName = value(values, SETTING + "__accountName");
    Optional<String> clientId = Optional.ofNullable(value(values, SETTING + "__clientId"));
    if (tableUri != null) {
      URI uri = endpoint(SETTING + "__tableServiceUri", tableUri);
      String host = uri.getHost();
      return Optional.of(new StorageConnection(uri, host.substring(0, host.indexOf('.') < 0 ? host.length()
          : host.indexOf('.')), Optional.empty(), clientId));
    }
    if (accountName != null) {
      return Optional.of(new StorageConnection(URI.create("https://" + accountName + ".table." + storageSuffix),
          accountName, Optional.empty(), clientId));
    }
    String connection = value(values, SETTING);
    return connection == null ? Optional.empty() : Optional.of(parse(connection, storageSuffix));
  }

  private static StorageConnection parse(String connection, String storageSuffix) {
    Map<String, String> parts = new HashMap<>();
    for (String part : connection.split(";")) {
      int eq = part.indexOf('=');
      if (eq > 0) {
        parts.put(part.substring(0, eq).trim().toLowerCase(Locale.ROOT), part.substring(eq + 1).trim());
      }
    }
    if ("true".equalsIgnoreCase(parts.get("usedevelopmentstorage"))) {
      String proxy = parts.getOrDefault("developmentstorageproxyuri", "http://127.0.0.1");
      return new StorageConnection(endpoint(SETTING, proxy + ":10002/" + DEV_ACCOUNT), DEV_ACCOUNT,
          Optional.of(new Secret(DEV_KEY)), Optional.empty());
    }
    String account = parts.get("accountname");
    String key = parts.get("accountkey");
    if (account == null || key == null) {
      throw new SettingsException(SETTING, parts.containsKey("sharedaccesssignature")
          ? "a SAS connection string is not supported for the shared state; use one with AccountName and "
              + "AccountKey, or an identity-based connection (AzureWebJobsStorage__accountName)"
          : "must be a storage connection string with AccountName and AccountKey, UseDevelopmentStorage=true, or "
              + "be unset in favour of AzureWebJobsStorage__accountName / __tableServiceUri");
    }
    try {
      Base64.getDecoder().decode(key);
    } catch (IllegalArgumentException e) {
      throw new SettingsException(SETTING, "its AccountKey is not base64; copy the connection string again from "
          + "the storage account's Access keys");
    }
    String explicit = parts.get("tableendpoint");
    String protocol = parts.getOrDefault("defaultendpointsprotocol", "https");
    String suffix = parts.getOrDefault("endpointsuffix", storageSuffix);
    URI table = endpoint(SETTING, explicit != null ? explicit : protocol + "://" + account + ".table." + suffix);
    return new StorageConnection(table, account, Optional.of(new Secret(key)), Optional.empty());
  }

  private static URI endpoint(String name, String value) {
    return new Settings.Reader(Map.of(name, value)).endpoint(name, value);
  }

  private static String value(Map<String, String> values, String name) {
    String value = values.get(name);
    return value == null || value.isBlank() ? null : value.trim();
  }
}
