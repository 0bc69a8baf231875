package dev.cloudpc.reprovision.config;

import java.net.URI;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The identity-based forms of the host storage connection: settings under {@code AzureWebJobsStorage__} (Learn: "Azure
 * Functions developer guide", "Connecting to host storage with an identity" and "Common properties for identity-based
 * connections"). Property names are matched without regard to case, as the host's configuration does. Where the Table
 * service is, most explicit first:
 * <ol>
 *   <li>{@code __tableServiceUri};</li>
 *   <li>derived from {@code __blobServiceUri} / {@code __queueServiceUri} — what Microsoft's Flex Consumption templates
 *       set — when their hosts are the account's own endpoints, {@code <account>.blob.<suffix>}: the Table service is
 *       {@code <account>.table.<suffix>} (public, sovereign and DNS-zone endpoints alike);</li>
 *   <li>{@code __accountName}: {@code https://<account>.table.<the cloud's storage suffix>}.</li>
 * </ol>
 * Anything that leaves the table open (custom DNS, path-style or private-link hosts, URIs of different accounts) stops
 * start-up naming {@code __tableServiceUri}: the state must never fall back to memory unnoticed.
 */
final class IdentityBasedStorage {
  static final String PREFIX = StorageConnection.SETTING + "__";
  private static final String TABLE_URI = PREFIX + "tableServiceUri";
  private static final Pattern ACCOUNT = Pattern.compile("^[a-z0-9]{3,24}$");
  /** An account's own endpoint host: {@code <account>.[z<nn>.]<service>.<suffix>}. */
  private static final Pattern SERVICE_HOST =
      Pattern.compile("^([a-z0-9]{3,24})\\.((?:z\\d{1,2}\\.)?)(blob|queue)\\.([a-z0-9.-]+)$");

  /** One setting under the prefix, with the name it was given. */
  private record Property(String name, String value) {
  }

  /** A service URI setting and the service its host must name. */
  private record ServiceUri(String service, Property property) {
  }

  private final Map<String, Property> properties;
  private final String storageSuffix;

  private IdentityBasedStorage(Map<String, Property> properties, String storageSuffix) {
    this.properties = properties;
    this.storageSuffix = storageSuffix;
  }

  /** Empty when no {@code AzureWebJobsStorage__*} setting is set. */
  static Optional<StorageConnection> from(Map<String, String> env, String storageSuffix) {
    Map<String, Property> properties = new HashMap<>();
    env.forEach((name, value) -> {
      if (name.regionMatches(true, 0, PREFIX, 0, PREFIX.length()) && value != null && !value.isBlank()) {
        properties.put(name.substring(PREFIX.length()).toLowerCase(Locale.ROOT), new Property(name, value.trim()));
      }
    });
    return properties.isEmpty() ? Optional.empty()
        : Optional.of(new IdentityBasedStorage(properties, storageSuffix).connection());
  }

  private StorageConnection connection() {
    credential();
    Optional<UserAssignedIdentity> identity = userAssigned();
    Optional<Property> table = get("tableServiceUri");
    if (table.isPresent()) {
      URI uri = endpoint(table.get());
      return new StorageConnection(uri, firstLabel(uri.getHost()), Optional.empty(), identity, table.get().name());
    }
    List<ServiceUri> services = new ArrayList<>();
    get("blobServiceUri").ifPresent(p -> services.add(new ServiceUri("blob", p)));
    get("queueServiceUri").ifPresent(p -> services.add(new ServiceUri("queue", p)));
    Optional<Property> accountName = get("accountName");
    if (!services.isEmpty()) {
      return derived(services, accountName, identity);
    }
    if (accountName.isPresent()) {
      String account = accountName.get().value();
      if (!ACCOUNT.matcher(account).matches()) {
        throw new SettingsException(accountName.get().name(), "'" + account + "' is not a storage account name (3–24 "
            + "lower-case letters and digits)");
      }
      return new StorageConnection(URI.create("https://" + account + ".table." + storageSuffix), account,
          Optional.empty(), identity, accountName.get().name());
    }
    throw new SettingsException(TABLE_URI, "is needed: " + String.join(", ", names()) + " name no storage account, "
        + "so the shared state has no Table service. Add " + TABLE_URI + " (https://<account>.table.core.windows.net) "
        + "or " + PREFIX + "accountName, or remove the " + PREFIX + "* settings to keep the state in memory on each "
        + "instance");
  }

  /** The Table endpoint of the account the blob/queue URIs name; they must all name the same one. */
  private StorageConnection derived(List<ServiceUri> services, Optional<Property> accountName,
                                    Optional<UserAssignedIdentity> identity) {
    String table = null;
    String account = null;
    for (ServiceUri service : services) {
      String name = service.property().name();
      URI uri = endpoint(service.property());
      Matcher host = SERVICE_HOST.matcher(uri.getHost().toLowerCase(Locale.ROOT));
      if (!host.matches() || !host.group(3).equals(service.service())) {
        throw new SettingsException(TABLE_URI, "is needed: the host of " + name + " (" + uri.getHost() + ") is not "
            + "the account's own <account>." + service.service() + ".<suffix> endpoint (a custom domain, private link "
            + "or emulator), so the Table service cannot be derived from it. Add " + TABLE_URI + " with the "
            + "account's Table endpoint");
      }
      String port = uri.getPort() < 0 ? "" : ":" + uri.getPort();
      String candidate = uri.getScheme() + "://" + host.group(1) + "." + host.group(2) + "table." + host.group(4)
          + port;
      if (table != null && !table.equals(candidate)) {
        throw new SettingsException(TABLE_URI, "is needed: " + services.stream().map(s -> s.property().name())
            .collect(Collectors.joining(" and ")) + " name different storage accounts or clouds, so which Table "
            + "service holds the shared state is open. Make them name one account, or add " + TABLE_URI);
      }
      table = candidate;
      account = host.group(1);
    }
    if (accountName.isPresent() && !accountName.get().value().equalsIgnoreCase(account)) {
      throw new SettingsException(accountName.get().name(), "'" + accountName.get().value() + "' is not the account "
          + "that " + services.get(0).property().name() + " names (" + account + "); make them agree");
    }
    return new StorageConnection(URI.create(table), account, Optional.empty(), identity,
        services.get(0).property().name());
  }

  /** Only the managed identity gets tokens here; another credential would silently become it otherwise. */
  private void credential() {
    get("credential").filter(c -> !c.value().equalsIgnoreCase("managedidentity")).ifPresent(c -> {
      throw new SettingsException(c.name(), "'" + c.value() + "' is not supported: the shared state connects with "
          + "the function app's managed identity, so set it to managedidentity (or leave it unset)");
    });
    for (String secret : List.of("clientSecret", "certificate")) {
      get(secret).ifPresent(p -> {
        throw new SettingsException(p.name(), "a service principal's secret or certificate is not supported for the "
            + "shared state; on Azure use the managed identity, locally use AzureWebJobsStorage="
            + "UseDevelopmentStorage=true (Azurite) or a connection string");
      });
    }
  }

  private Optional<UserAssignedIdentity> userAssigned() {
    Optional<Property> clientId = get("clientId");
    Optional<Property> resourceId = get("managedIdentityResourceId");
    if (clientId.isPresent() && resourceId.isPresent()) {
      throw new SettingsException(resourceId.get().name(), "set either it or " + clientId.get().name() + " to name "
          + "the user-assigned identity, not both");
    }
    return clientId.map(p -> UserAssignedIdentity.byClientId(p.name(), p.value()))
        .or(() -> resourceId.map(p -> UserAssignedIdentity.byResourceId(p.name(), p.value())));
  }

  private Optional<Property> get(String property) {
    return Optional.ofNullable(properties.get(property.toLowerCase(Locale.ROOT)));
  }

  private List<String> names() {
    return properties.values().stream().map(Property::name).sorted().toList();
  }

  private static URI endpoint(Property property) {
    return StorageConnection.endpoint(property.name(), property.value());
  }

  private static String firstLabel(String host) {
    int dot = host.indexOf('.');
    return dot < 0 ? host : host.substring(0, dot);
  }
}
