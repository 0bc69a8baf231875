package dev.cloudpc.reprovision.config;

import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Every setting the function reads, parsed and checked once at start-up. Names are those of
 * {@code local.settings.json.example}; a missing or malformed value stops start-up with a message naming it.
 */
public record Settings(
    String tenantId,
    String clientId,
    Optional<Secret> clientSecret,
    AzureCloud cloud,
    URI authorityHost,
    URI v1IssuerHost,
    URI graphBaseUrl,
    String graphApiVersion,
    GraphCredentialKind graphCredential,
    Optional<URI> identityEndpoint,
    Optional<Secret> identityHeader,
    Optional<String> managedIdentityClientId,
    String adminRole,
    String selfScope,
    List<String> extraAudiences,
    boolean easyAuthEnabled,
    boolean functionKeyCallersAreAdmins,
    Optional<Secret> functionKey,
    Duration requestDeadline,
    int graphMaxAttempts,
    int graphMaxConnections,
    Duration pollRetryAfter,
    int bulkMaxPcs,
    int jwksMinRefreshSeconds,
    Duration graphTokenMinRefetch,
    Optional<Secret> operationUrlSecret,
    boolean selfServiceIgnoresResetPolicy,
    Optional<StorageConnection> stateStore,
    String stateTable,
    int graphGetCloudPcPerMinute,
    int graphListCloudPcsPerMinute) {

  private static final Pattern TABLE_NAME = Pattern.compile("^[A-Za-z][A-Za-z0-9]{2,62}$");

  public static final Pattern GUID =
      Pattern.compile("^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$");

  /** The v2 issuer that Entra puts in tokens for this tenant. */
  public String v2Issuer() {
    return authorityHost + "/" + tenantId + "/v2.0";
  }

  /** The v1 issuer ({@code accessTokenAcceptedVersion} null or 1 — the common case for API registrations). */
  public String v1Issuer() {
    return v1IssuerHost + "/" + tenantId + "/";
  }

  public URI openIdConfigurationUri() {
    return URI.create(v2Issuer() + "/.well-known/openid-configuration");
  }

  public URI tokenEndpoint() {
    return URI.create(authorityHost + "/" + tenantId + "/oauth2/v2.0/token");
  }

  /** Scope for app-only and on-behalf-of Graph tokens. */
  public String graphScope() {
    return graphBaseUrl + "/.default";
  }

  /** Audiences a caller's token may carry. */
  public List<String> acceptedAudiences() {
    var all = new java.util.ArrayList<String>(List.of(clientId, "api://" + clientId));
    all.addAll(extraAudiences);
    return List.copyOf(all);
  }

  public static Settings fromEnvironment(Map<String, String> env) {
    Reader r = new Reader(env);
    String tenantId = r.required("AZURE_TENANT_ID");
    if (!GUID.matcher(tenantId).matches()) {
      throw new SettingsException("AZURE_TENANT_ID", "must be the tenant's GUID (Entra ID → Overview → Tenant ID), "
          + "not a domain name");
    }
    String clientId = r.required("AZURE_CLIENT_ID");
    AzureCloud cloud = r.optional("AZURE_CLOUD").map(AzureCloud::parse).orElse(AzureCloud.AZURE_PUBLIC_CLOUD);
    URI authority = r.endpoint("AZURE_AUTHORITY_HOST", cloud.authorityHost());
    URI v1Issuer = r.endpoint("AZURE_V1_ISSUER_HOST", cloud.v1IssuerHost());
    URI graph = r.endpoint("GRAPH_BASE_URL", cloud.graphBaseUrl());
    refuseUnsupportedCloud("GRAPH_BASE_URL", graph);
    refuseUnsupportedCloud("AZURE_AUTHORITY_HOST", authority);
    String version = r.optional("GRAPH_API_VERSION").orElse("beta");
    if (!version.equals("beta") && !version.equals("v1.0")) {
      throw new SettingsException("GRAPH_API_VERSION", "'" + version + "' must be beta or v1.0");
    }
    Optional<URI> identityEndpoint = r.optional("IDENTITY_ENDPOINT").map(v -> r.endpoint("IDENTITY_ENDPOINT", v));
    GraphCredentialKind credential = r.optional("GRAPH_CREDENTIAL").map(GraphCredentialKind::parse)
        .orElse(identityEndpoint.isPresent() ? GraphCredentialKind.MANAGED_IDENTITY
            : GraphCredentialKind.CLIENT_SECRET);
    Optional<Secret> secret = r.optional("AZURE_CLIENT_SECRET").map(Secret::new);
    Optional<Secret> identityHeader = r.optional("IDENTITY_HEADER").map(Secret::new);
    switch (credential) {
      case CLIENT_SECRET, ON_BEHALF_OF -> {
        if (secret.isEmpty()) {
          throw new SettingsException("AZURE_CLIENT_SECRET", "required when GRAPH_CREDENTIAL is "
              + credential.settingValue() + " (the app registration's client secret)");
        }
      }
      case MANAGED_IDENTITY -> {
        if (identityEndpoint.isEmpty() || identityHeader.isEmpty()) {
          throw new SettingsException(identityEndpoint.isEmpty() ? "IDENTITY_ENDPOINT" : "IDENTITY_HEADER",
              "required when GRAPH_CREDENTIAL is managed-identity; the platform sets it once the function app "
                  + "has a managed identity (Identity → System assigned → On)");
        }
      }
    }
    Optional<StorageConnection> stateStore = StorageConnection.fromSettings(env, cloud);
    if (stateStore.isPresent() && stateStore.get().accountKey().isEmpty()
        && (identityEndpoint.isEmpty() || identityHeader.isEmpty())) {
      throw new SettingsException(stateStore.get().source(), "an identity-based storage connection needs the "
          + "function app's managed identity (IDENTITY_ENDPOINT and IDENTITY_HEADER, set by the platform)");
    }
    return new Settings(
        tenantId.toLowerCase(Locale.ROOT),
        clientId,
        secret,
        cloud,
        authority,
        v1Issuer,
        graph,
        version,
        credential,
        identityEndpoint,
        identityHeader,
        r.optional("AZURE_MANAGED_IDENTITY_CLIENT_ID"),
        r.optional("AUTH_ADMIN_ROLE").orElse("CloudPC.Reprovision.All"),
        r.optional("AUTH_SELF_SCOPE").orElse("CloudPC.Reprovision"),
        r.optional("AUTH_ALLOWED_AUDIENCES").map(Settings::list).orElse(List.of()),
        r.flag("WEBSITE_AUTH_ENABLED", false),
        r.flag("AUTH_FUNCTION_KEY_CALLERS_ARE_ADMINS", false),
        r.optional("FUNCTION_KEY").map(Secret::new),
        Duration.ofSeconds(r.integer("REQUEST_DEADLINE_SECONDS", 100, 1, 225)),
        r.integer("GRAPH_MAX_ATTEMPTS", 4, 1, 10),
        r.integer("GRAPH_MAX_CONNECTIONS", 1024, 1, 10_000),
        Duration.ofSeconds(r.integer("POLL_RETRY_AFTER_SECONDS", 60, 1, 3600)),
        r.integer("BULK_MAX_CLOUD_PCS", 100, 1, 1000),
        r.integer("AUTH_JWKS_MIN_REFRESH_SECONDS", 30, 0, 3600),
        Duration.ofSeconds(r.integer("GRAPH_TOKEN_MIN_REFETCH_SECONDS", 30, 0, 3600)),
        r.optional("OPERATION_URL_SECRET").map(Secret::new),
        r.flag("AUTH_SELF_SERVICE_IGNORE_RESET_POLICY", false),
        stateStore,
        stateTable(r),
        // Microsoft's per-app Windows 365 limits (concepts/includes/throttling-windows-365.md, from 2025-09-30).
        r.integer("GRAPH_GET_CLOUD_PC_PER_MINUTE", 270, 1, 1_000_000),
        r.integer("GRAPH_LIST_CLOUD_PCS_PER_MINUTE", 90, 1, 1_000_000));
  }

  private static String stateTable(Reader r) {
    String table = r.optional("REPROVISION_STATE_TABLE").orElse("CloudPcReprovisionState");
    if (!TABLE_NAME.matcher(table).matches()) {
      throw new SettingsException("REPROVISION_STATE_TABLE", "'" + table + "' must be 3–63 letters and digits "
          + "starting with a letter (Azure Table naming rules)");
    }
    return table;
  }

  /** An explicit host can name a cloud AZURE_CLOUD would have refused; refuse it the same way. */
  private static void refuseUnsupportedCloud(String name, URI endpoint) {
    String host = endpoint.getHost().toLowerCase(Locale.ROOT);
    if (host.equals("dod-graph.microsoft.us") || host.endsWith(".chinacloudapi.cn") || host.endsWith(".azure.cn")) {
      throw new SettingsException(name, host + " belongs to US Gov DoD or Azure China, where Microsoft Graph does "
          + "not offer Cloud PC reprovisioning");
    }
  }

  private static List<String> list(String value) {
    return Arrays.stream(value.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
  }

  /** Reads one setting at a time so that every error names the setting. */
  /**
   * One endpoint setting checked as every endpoint is (https; plain http only for literal loopback hosts; no query);
   * errors name the setting. For settings read outside this class (the local host's).
   */
  public static URI endpoint(String name, String value) {
    return new Reader(Map.of(name, value)).endpoint(name, value);
  }

  record Reader(Map<String, String> env) {
    Optional<String> optional(String name) {
      String value = env.get(name);
      return value == null || value.isBlank() ? Optional.empty() : Optional.of(value.trim());
    }

    String required(String name) {
      return optional(name).orElseThrow(() -> new SettingsException(name, "is required but not set"));
    }

    boolean flag(String name, boolean fallback) {
      return optional(name).map(v -> switch (v.toLowerCase(Locale.ROOT)) {
        case "true", "1", "yes" -> true;
        case "false", "0", "no" -> false;
        default -> throw new SettingsException(name, "'" + v + "' must be true or false");
      }).orElse(fallback);
    }

    int integer(String name, int fallback, int min, int max) {
      return optional(name).map(v -> {
        try {
          int n = Integer.parseInt(v);
          if (n < min || n > max) {
            throw new SettingsException(name, n + " is outside " + min + ".." + max);
          }
          return n;
        } catch (NumberFormatException e) {
          throw new SettingsException(name, "'" + v + "' is not a whole number");
        }
      }).orElse(fallback);
    }

    URI endpoint(String name, URI fallback) {
      return optional(name).map(v -> endpoint(name, v)).orElse(fallback);
    }

    /** https everywhere; plain http only for loopback hosts (local runs and tests). */
    URI endpoint(String name, String value) {
      URI uri;
      try {
        uri = URI.create(value.endsWith("/") ? value.substring(0, value.length() - 1) : value);
      } catch (IllegalArgumentException e) {
        throw new SettingsException(name, "'" + value + "' is not a URL");
      }
      if (uri.getHost() == null || uri.getScheme() == null) {
        throw new SettingsException(name, "'" + value + "' must be an absolute URL such as https://host");
      }
      if ("http".equals(uri.getScheme())) {
        if (!isLoopback(uri.getHost())) {
          throw new SettingsException(name, "plain http is allowed only for loopback hosts; use https://"
              + uri.getHost());
        }
      } else if (!"https".equals(uri.getScheme())) {
        throw new SettingsException(name, "'" + value + "' must use https");
      }
      if (uri.getQuery() != null || uri.getFragment() != null) {
        throw new SettingsException(name, "'" + value + "' must not have a query or fragment");
      }
      return uri;
    }

    private static boolean isLoopback(String host) {
      if (host.equals("localhost")) {
        return true;
      }
      if (!host.matches("^[0-9.]+$") && !host.startsWith("[")) {
        return false; // never resolve names here: only literal loopback addresses count
      }
      try {
        return InetAddress.getByName(host).isLoopbackAddress();
      } catch (UnknownHostException e) {
        return false;
      }
    }
  }
}
