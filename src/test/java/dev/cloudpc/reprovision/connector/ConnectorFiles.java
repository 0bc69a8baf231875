package dev.cloudpc.reprovision.connector;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A connector folder as {@code paconn}/{@code pac connector} read it: the definition, the properties, the icon, the
 * readme and the settings file, parsed, with what tests ask of them.
 */
record ConnectorFiles(Path dir, DefinitionTree definition, JsonObject properties, byte[] icon, String readme,
                       JsonObject settings) {
  /** {@code @connectionParameters('name')} or {@code @connectionParameters('name', 'default')}. */
  static final Pattern CONNECTION_PARAMETER = Pattern.compile("@connectionParameters\\('([^']*)'(?:\\s*,\\s*'[^']*')?\\)");
  /** The checked-in folder, from the source tree (surefire runs in the project root). */
  static final Path CHECKED_IN = Path.of("src/main/resources/connector");

  static ConnectorFiles read(Path dir) {
    try {
      return new ConnectorFiles(dir,
          DefinitionTree.parse(Files.readString(dir.resolve("apiDefinition.swagger.json"), StandardCharsets.UTF_8)),
          new JsonObject(Files.readString(dir.resolve("apiProperties.json"), StandardCharsets.UTF_8))
              .getJsonObject("properties"),
          Files.readAllBytes(dir.resolve("icon.png")),
          Files.readString(dir.resolve("readme.md"), StandardCharsets.UTF_8),
          new JsonObject(Files.readString(dir.resolve("settings.json"), StandardCharsets.UTF_8)));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  JsonObject connectionParameters() {
    return properties.getJsonObject("connectionParameters", new JsonObject());
  }

  List<JsonObject> policies(String templateId) {
    return properties.getJsonArray("policyTemplateInstances", new JsonArray()).stream().map(JsonObject.class::cast)
        .filter(p -> templateId.equalsIgnoreCase(p.getString("templateId"))).toList();
  }

  /** Whether a policy instance applies to an operation: it names none (all), or names that one. */
  static boolean appliesTo(JsonObject policy, String operationId) {
    JsonArray names = policy.getJsonObject("parameters").getJsonArray("x-ms-apimTemplate-operationName");
    return names == null || names.contains(operationId);
  }

  /** The connection parameters an expression reads. */
  static List<String> parametersIn(String expression) {
    List<String> names = new ArrayList<>();
    Matcher matcher = CONNECTION_PARAMETER.matcher(expression);
    while (matcher.find()) {
      names.add(matcher.group(1));
    }
    return names;
  }
}
