package dev.cloudpc.reprovision.local;

import dev.cloudpc.reprovision.config.AzureCloud;
import dev.cloudpc.reprovision.config.Settings;
import dev.cloudpc.reprovision.config.SettingsException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * {@code --connector <dir>}: writes the Power Platform custom connector folder for one function app, in the layout
 * {@code paconn} and {@code pac connector} read — the connector files this jar carries, with the function app's host
 * and the two app registrations' client ids set at their JSON fields (nothing is searched and replaced as text).
 */
public final class ConnectorFolder {
  static final String DEFINITION = "apiDefinition.swagger.json";
  static final String PROPERTIES = "apiProperties.json";
  static final String ICON = "icon.png";
  static final List<String> FILES = List.of(DEFINITION, PROPERTIES, ICON, "readme.md", "settings.json");
  private static final Pattern HOST = Pattern.compile("^[A-Za-z0-9](?:[A-Za-z0-9.-]{0,251}[A-Za-z0-9])?(:[0-9]{1,5})?$");

  /**
   * What a folder is written for.
   *
   * @param keyOnly no Entra ID sign-in: the connection holds only the function key (the client ids are not needed)
   */
  public record Target(String host, Optional<String> functionClientId, Optional<String> connectorClientId,
                       AzureCloud cloud, boolean keyOnly) {
  }

  private static final List<String> VALUE_FLAGS = List.of("--connector", "--host", "--function-client-id",
      "--connector-client-id", "--cloud");
  private static final List<String> SWITCHES = List.of("--key-only");

  private ConnectorFolder() {
  }

  /**
   * {@code java -jar reprovision-local.jar --connector <dir> --host <host> ...}: writes the folder and returns what to
   * print (the files, then how to create the connector); a bad flag is an {@link IllegalArgumentException} naming it.
   */
  static String command(List<String> args, Map<String, String> env) {
    Map<String, String> flags = new java.util.LinkedHashMap<>();
    for (int i = 0; i < args.size(); i++) {
      String flag = args.get(i);
      if (SWITCHES.contains(flag)) {
        flags.put(flag, "true");
      } else if (VALUE_FLAGS.contains(flag) && i + 1 < args.size() && !args.get(i + 1).startsWith("--")) {
        flags.put(flag, args.get(++i));
      } else {
        throw new IllegalArgumentException(VALUE_FLAGS.contains(flag) ? flag + " needs a value"
            : "unknown argument '" + flag + "' with --connector (try --help)");
      }
    }
    String dir = flags.get("--connector");
    Target target = parse(flags, env);
    List<Path> written = write(target, Path.of(dir));
    return "wrote " + written.size() + " files to " + dir + " for https://" + target.host() + "/api"
        + (target.keyOnly() ? " (key only, no sign-in)" : "") + ": " + String.join(", ", FILES) + "\n"
        + "create the connector: " + pacCreate(dir) + "\n"
        + "  (pac takes no client secret: set it under Custom connectors → Edit → Security; or: cd " + dir
        + " && paconn create --settings settings.json" + (target.keyOnly() ? "" : " --secret <connector app's client "
        + "secret>") + ")";
  }

  /**
   * The target the flags after {@code --connector <dir>} name; {@code --function-client-id} defaults to the
   * AZURE_CLIENT_ID setting, {@code --cloud} to AZURE_CLOUD. Every refusal names the flag to fix.
   */
  static Target parse(Map<String, String> flags, Map<String, String> env) {
    String host = flags.get("--host");
    if (host == null || !HOST.matcher(host).matches()) {
      throw new IllegalArgumentException("--host must be the function app's host name, such as "
          + "contoso-reprovision.azurewebsites.net (no https://, no path), not '" + (host == null ? "" : host) + "'");
    }
    boolean keyOnly = flags.containsKey("--key-only");
    Optional<String> functionClientId = clientId(flags, "--function-client-id",
        Optional.ofNullable(env.get("AZURE_CLIENT_ID")).filter(id -> !id.isBlank()), keyOnly,
        "the function's API app registration (AZURE_CLIENT_ID)");
    Optional<String> connectorClientId = clientId(flags, "--connector-client-id", Optional.empty(), keyOnly,
        "the connector's own app registration, whose client secret the connector signs in with");
    AzureCloud cloud;
    try {
      cloud = AzureCloud.parse(flags.getOrDefault("--cloud", env.getOrDefault("AZURE_CLOUD",
          AzureCloud.AZURE_PUBLIC_CLOUD.settingValue())));
    } catch (SettingsException e) {
      throw new IllegalArgumentException("--cloud (or AZURE_CLOUD): "
          + e.getMessage().replaceFirst("^AZURE_CLOUD: ", ""));
    }
    return new Target(host, functionClientId, connectorClientId, cloud, keyOnly);
  }

  private static Optional<String> clientId(Map<String, String> flags, String flag, Optional<String> fallback,
                                           boolean keyOnly, String what) {
    Optional<String> id = Optional.ofNullable(flags.get(flag)).or(() -> fallback);
    if (keyOnly) {
      return Optional.empty();
    }
    if (id.isEmpty() || !Settings.GUID.matcher(id.get()).matches()) {
      throw new IllegalArgumentException(flag + " must be the client (application) id, a GUID, of " + what
          + (id.isEmpty() ? "" : ", not '" + id.get() + "'") + " (or use --key-only for a connector without sign-in)");
    }
    return id;
  }

  /** Writes the folder (created if need be; its connector files replaced) and returns the files written. */
  public static List<Path> write(Target target, Path dir) {
    try {
      Files.createDirectories(dir);
      for (String name : FILES) {
        byte[] original = resource(name);
        byte[] written = switch (name) {
          case DEFINITION -> definition(target, new JsonObject(new String(original, StandardCharsets.UTF_8)));
          case PROPERTIES -> properties(target, new JsonObject(new String(original, StandardCharsets.UTF_8)));
          default -> original;
        };
        Files.write(dir.resolve(name), written);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("could not write the connector folder " + dir + ": " + e.getMessage(), e);
    }
    return FILES.stream().map(dir::resolve).toList();
  }

  /**
   * How to import the sandbox on {@code port} as a connector, for its banner. Power Platform calls from the cloud and
   * cannot sign in to the sandbox's identity, so: an HTTPS tunnel to the port, and a key-only connector that the local
   * host accepts as an admin with AUTH_FUNCTION_KEY_CALLERS_ARE_ADMINS=true.
   */
  public static String sandboxImport(int port) {
    String dir = "target/connector-sandbox";
    return "Power Platform calls from the cloud: expose port " + port + " over HTTPS with a tunnel that keeps the "
        + "Host header, and (the sandbox signs in no real user) start with AUTH_FUNCTION_KEY_CALLERS_ARE_ADMINS=true "
        + "so that a key-only connection acts as an admin. Then, with the tunnel's host:\n"
        + "java -jar target/reprovision-local.jar --connector " + dir + " --host <tunnel host> --key-only && "
        + pacCreate(dir);
  }

  /** The command that creates the connector from a folder written here, with Power Platform's CLI. */
  public static String pacCreate(String dir) {
    return "pac connector create --api-definition-file " + dir + "/" + DEFINITION + " --api-properties-file " + dir
        + "/" + PROPERTIES + " --icon-file " + dir + "/" + ICON;
  }

  private static byte[] definition(Target target, JsonObject definition) {
    definition.put("host", target.host()).put("schemes", new JsonArray().add("https"));
    if (target.keyOnly()) {
      definition.remove("securityDefinitions");
      definition.remove("security");
    }
    return pretty(definition);
  }

  private static byte[] properties(Target target, JsonObject properties) {
    JsonObject parameters = properties.getJsonObject("properties").getJsonObject("connectionParameters");
    parameters.getJsonObject("functionAppHost").put("defaultValue", target.host());
    if (target.keyOnly()) {
      parameters.remove("token");
      return pretty(properties);
    }
    String resource = "api://" + target.functionClientId().orElseThrow();
    JsonObject oauth = parameters.getJsonObject("token").getJsonObject("oAuthSettings");
    oauth.put("clientId", target.connectorClientId().orElseThrow());
    oauth.getJsonObject("properties").put("AzureActiveDirectoryResourceId", resource);
    JsonObject custom = oauth.getJsonObject("customParameters");
    custom.getJsonObject("resourceUri").put("value", resource);
    custom.getJsonObject("loginUri").put("value", target.cloud().authorityHost().toString());
    return pretty(properties);
  }

  private static byte[] pretty(JsonObject json) {
    return (json.encodePrettily() + "\n").getBytes(StandardCharsets.UTF_8);
  }

  private static byte[] resource(String name) throws IOException {
    try (InputStream in = ConnectorFolder.class.getClassLoader().getResourceAsStream("connector/" + name)) {
      if (in == null) {
        throw new IOException("connector/" + name + " is missing from this jar");
      }
      return in.readAllBytes();
    }
  }
}
