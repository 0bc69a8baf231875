package dev.cloudpc.reprovision.config;

import java.net.URI;
import java.util.Base64;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Where the shared state lives: the Table service of the function app's own storage account, read from
 * {@code AzureWebJobsStorage} the way the Functions host reads it. A non-blank {@code AzureWebJobsStorage} is a
 * connection string — an account key, or {@code UseDevelopmentStorage=true} (Azurite) — and wins over the
 * identity-based {@code AzureWebJobsStorage__*} settings, as the host's exact-match rule says ("If the configured value
 * is both an exact match for a single setting and a prefix match for other settings, the exact match is used", Learn:
 * the Azure Storage bindings, "Connections"). The identity-based forms: {@link IdentityBasedStorage}. Learn: "Configure
 * an Azure Storage connection string" and "Azure Functions developer guide", "Connecting to host storage with an
 * identity".
 *
 * @param tableEndpoint the Table service root; for Azurite it ends with the account name (path-style URLs)
 * @param accountKey    the account key (Shared Key signing), or empty for the managed identity
 * @param identity      with the managed identity: a user-assigned one ({@code AzureWebJobsStorage__clientId} or
 *                      {@code __managedIdentityResourceId}), else empty
 * @param source        the setting the Table endpoint came from, for messages that say what to fix
 */
public record StorageConnection(URI tableEndpoint, String accountName, Optional<Secret> accountKey,
                                Optional<UserAssignedIdentity> identity, String source) {

  static final String SETTING = "AzureWebJobsStorage";
  /** Azurite's published development account and key (Learn: "Use the Azurite emulator", well-known key). */
  public static final String DEV_ACCOUNT = "devstoreaccount1";
  public static final String DEV_KEY =
      "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

  @Override
  public String toString() {
    return tableEndpoint + (accountKey.isPresent() ? " (account key)" : " (managed identity)");
  }

  /**
   * Empty when no storage is configured (the local host): the state then stays in memory. Some
   * {@code AzureWebJobsStorage*} setting without a Table endpoint to be had stops start-up naming the setting to add.
   */
  static Optional<StorageConnection> fromSettings(Map<String, String> values, AzureCloud cloud) {
    // Learn: "Azure Government developer guide" — storage endpoints end with core.usgovcloudapi.net there.
    String storageSuffix = cloud == AzureCloud.AZURE_US_GOVERNMENT ? "core.usgovcloudapi.net" : "core.windows.net";
    String connection = value(values, SETTING);
    return connection != null ? Optional.of(parse(connection, storageSuffix))
        : IdentityBasedStorage.from(values, storageSuffix);
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
          Optional.of(new Secret(DEV_KEY)), Optional.empty(), SETTING);
    }
    String account = parts.get("accountname");
    String key = parts.get("accountkey");
    if (account == null || key == null) {
      throw new SettingsException(SETTING, parts.containsKey("sharedaccesssignature")
          ? "a SAS connection string is not supported for the shared state; use one with AccountName and "
              + "AccountKey, or an identity-based connection (AzureWebJobsStorage__accountName)"
          : "must be a storage connection string with AccountName and AccountKey, UseDevelopmentStorage=true, or "
              + "be unset in favour of an identity-based connection (AzureWebJobsStorage__accountName, "
              + "__tableServiceUri, or __blobServiceUri and __queueServiceUri)");
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
    return new StorageConnection(table, account, Optional.of(new Secret(key)), Optional.empty(), SETTING);
  }

  static URI endpoint(String name, String value) {
    return new Settings.Reader(Map.of(name, value)).endpoint(name, value);
  }

  private static String value(Map<String, String> values, String name) {
    String value = values.get(name);
    return value == null || value.isBlank() ? null : value.trim();
  }
}
