package dev.cloudpc.reprovision.config;

import java.net.URI;

/**
 * The national cloud (setting AZURE_CLOUD): one name sets the authority, Graph host and v1 token issuer together.
 * Clouds whose Graph does not offer Cloud PC reprovisioning are refused at start-up. Entra's v1 tokens name
 * {@code https://sts.windows.net/{tenant}/} in US Government as well; only the v2 issuer follows the authority
 * (AZURE_V1_ISSUER_HOST overrides it should a tenant see otherwise).
 */
public enum AzureCloud {
  AZURE_PUBLIC_CLOUD("AzurePublicCloud", "https://login.microsoftonline.com", "https://graph.microsoft.com",
      "https://sts.windows.net"),
  AZURE_US_GOVERNMENT("AzureUSGovernment", "https://login.microsoftonline.us", "https://graph.microsoft.us",
      "https://sts.windows.net");

  private final String settingValue;
  private final URI authorityHost;
  private final URI graphBaseUrl;
  private final URI v1IssuerHost;

  AzureCloud(String settingValue, String authorityHost, String graphBaseUrl, String v1IssuerHost) {
    this.settingValue = settingValue;
    this.authorityHost = URI.create(authorityHost);
    this.graphBaseUrl = URI.create(graphBaseUrl);
    this.v1IssuerHost = URI.create(v1IssuerHost);
  }

  public String settingValue() {
    return settingValue;
  }

  public URI authorityHost() {
    return authorityHost;
  }

  public URI graphBaseUrl() {
    return graphBaseUrl;
  }

  public URI v1IssuerHost() {
    return v1IssuerHost;
  }

  public static AzureCloud parse(String value) {
    for (AzureCloud cloud : values()) {
      if (cloud.settingValue.equalsIgnoreCase(value)) {
        return cloud;
      }
    }
    String lower = value.toLowerCase(java.util.Locale.ROOT);
    if (lower.contains("china") || lower.contains("dod")) {
      throw new SettingsException("AZURE_CLOUD", "'" + value + "' is not supported: Microsoft Graph does not offer "
          + "Cloud PC reprovisioning in US Gov DoD or Azure China; use AzurePublicCloud or AzureUSGovernment");
    }
    throw new SettingsException("AZURE_CLOUD", "'" + value + "' is not a known cloud; use AzurePublicCloud "
        + "(default) or AzureUSGovernment");
  }
}
