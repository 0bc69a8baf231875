package dev.cloudpc.reprovision.connector;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cloudpc.reprovision.config.AzureCloud;
import dev.cloudpc.reprovision.connector.DefinitionTree.Operation;
import dev.cloudpc.reprovision.http.ApiRoute;
import dev.cloudpc.reprovision.http.ApiRoutes;
import dev.cloudpc.reprovision.local.ConnectorFolder;
import io.swagger.parser.SwaggerParser;
import io.vertx.core.json.JsonObject;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The connector folder read as Power Platform's tools read it — the checked-in one, and the ones
 * {@code --connector} writes for a function app (with sign-in, and key-only): every file there and parsing, exactly
 * the route table's operations, a connection that supplies everything a call needs (the key on every operation, the
 * host), pickers wired to list operations that exist, an icon and a readme as the connector conventions ask.
 */
class ConnectorFolderTest {
  private static final String HOST = "contoso-reprovision.azurewebsites.net";
  private static final String FUNCTION_CLIENT_ID = "0c7e4b2a-9f13-4d58-b6e1-2a8d5c9f0e74";
  private static final String CONNECTOR_CLIENT_ID = "7a1d2c3b-4e5f-4a6b-8c7d-9e0f1a2b3c4d";
  /** paconn's apiProperties schema (PowerPlatformConnectors, schemas/paconn-apiProperties.schema.json) allows these. */
  private static final Set<String> PROPERTY_MEMBERS = Set.of("iconBrandColor", "capabilities", "connectionParameters",
      "policyTemplateInstances", "publisher", "stackOwner");
  private static final Set<String> PARAMETER_TYPES = Set.of("string", "securestring", "int", "bool", "oauthSetting");
  private static final List<String> PLACEHOLDERS = List.of("your-function-app.azurewebsites.net",
      "CONNECTOR_APP_CLIENT_ID", "FUNCTION_APP_CLIENT_ID");

  @TempDir
  static Path temp;
  private static ConnectorFiles checkedIn;
  private static ConnectorFiles written;
  private static ConnectorFiles keyOnly;

  @BeforeAll
  static void readFolders() {
    checkedIn = ConnectorFiles.read(ConnectorFiles.CHECKED_IN);
    Path forApp = temp.resolve("connector");
    ConnectorFolder.write(new ConnectorFolder.Target(HOST, Optional.of(FUNCTION_CLIENT_ID),
        Optional.of(CONNECTOR_CLIENT_ID), AzureCloud.AZURE_US_GOVERNMENT, false), forApp);
    written = ConnectorFiles.read(forApp);
    Path forKey = temp.resolve("key-only");
    ConnectorFolder.write(new ConnectorFolder.Target(HOST, Optional.empty(), Optional.empty(),
        AzureCloud.AZURE_PUBLIC_CLOUD, true), forKey);
    keyOnly = ConnectorFiles.read(forKey);
  }

  static Stream<ConnectorFiles> folders() {
    return Stream.of(checkedIn, written, keyOnly);
  }

  @ParameterizedTest
  @MethodSource("folders")
  void theFilesParseAndTheSettingsNameThem(ConnectorFiles folder) throws IOException {
    assertThat(new SwaggerParser().readWithInfo(folder.definition().root().encode()).getMessages()).isEmpty();
    assertThat(folder.settings().getString("apiDefinition")).isEqualTo("apiDefinition.swagger.json");
    assertThat(folder.settings().getString("apiProperties")).isEqualTo("apiProperties.json");
    assertThat(folder.settings().getString("icon")).isEqualTo("icon.png");
    try (Stream<Path> files = Files.list(folder.dir())) {
      assertThat(files.map(f -> f.getFileName().toString())).containsExactlyInAnyOrder("apiDefinition.swagger.json",
          "apiProperties.json", "icon.png", "readme.md", "settings.json");
    }
    assertThat(PROPERTY_MEMBERS).containsAll(folder.properties().fieldNames());
  }

  @ParameterizedTest
  @MethodSource("folders")
  void everyOperationOfTheRouteTableIsThereAndNothingElse(ConnectorFiles folder) {
    Map<String, String> inFolder = folder.definition().operations().stream()
        .collect(Collectors.toMap(Operation::key, Operation::operationId));
    Map<String, String> inRouter = ApiRoutes.ALL.stream()
        .collect(Collectors.toMap(r -> r.method().name() + " /" + r.functionRoute(), ApiRoute::operationId));
    assertThat(inFolder).isEqualTo(inRouter);
    assertThat(folder.definition().root().getString("basePath")).isEqualTo("/api");
  }

  @ParameterizedTest
  @MethodSource("folders")
  void theConnectionSuppliesTheKeyOnEveryOperationAndTheHost(ConnectorFiles folder) {
    JsonObject parameters = folder.connectionParameters();
    parameters.forEach(p -> {
      assertThat(p.getKey()).matches("^[0-9a-zA-Z_]+$");
      assertThat(((JsonObject) p.getValue()).getString("type")).isIn(PARAMETER_TYPES);
    });

    List<JsonObject> keys = folder.policies("setheader").stream()
        .filter(p -> "x-functions-key".equalsIgnoreCase(p.getJsonObject("parameters")
            .getString("x-ms-apimTemplateParameter.name"))).toList();
    assertThat(keys).singleElement().satisfies(policy -> {
      JsonObject set = policy.getJsonObject("parameters");
      assertThat(set.getString("x-ms-apimTemplate-policySection")).isEqualTo("Request");
      assertThat(set.getString("x-ms-apimTemplateParameter.existsAction")).isEqualTo("override");
      List<String> read = ConnectorFiles.parametersIn(set.getString("x-ms-apimTemplateParameter.value"));
      assertThat(read).singleElement().satisfies(name ->
          assertThat(parameters.getJsonObject(name).getString("type")).isEqualTo("securestring"));
      // Polls of a Location are operations too (GetReprovisionOperation, GetBulkReprovisionOperation).
      folder.definition().operations().forEach(op -> assertThat(ConnectorFiles.appliesTo(policy, op.operationId()))
          .as(op.operationId() + " gets the key").isTrue());
    });

    assertThat(folder.policies("dynamichosturl")).singleElement().satisfies(policy -> {
      String template = policy.getJsonObject("parameters").getString("x-ms-apimTemplateParameter.urlTemplate");
      List<String> read = ConnectorFiles.parametersIn(template);
      assertThat(read).singleElement().satisfies(name -> {
        assertThat(template).isEqualTo("https://@connectionParameters('" + name + "')"
            + folder.definition().root().getString("basePath"));
        JsonObject host = parameters.getJsonObject(name);
        assertThat(host.getString("type")).isEqualTo("string");
        assertThat(host.getString("defaultValue")).isEqualTo(folder.definition().root().getString("host"));
      });
      assertThat(policy.getJsonObject("parameters").containsKey("x-ms-apimTemplate-operationName")).isFalse();
    });

    // Nothing reads a connection parameter that is not declared; every policy names operations that exist.
    Set<String> operationIds = folder.definition().operations().stream().map(Operation::operationId)
        .collect(Collectors.toSet());
    folder.properties().getJsonArray("policyTemplateInstances").stream().map(JsonObject.class::cast)
        .forEach(policy -> {
          ConnectorFiles.parametersIn(policy.encode()).forEach(name -> assertThat(parameters.containsKey(name))
              .as(policy.getString("title") + " reads " + name).isTrue());
          if (policy.getJsonObject("parameters").getJsonArray("x-ms-apimTemplate-operationName") != null) {
            assertThat(operationIds).containsAll(policy.getJsonObject("parameters")
                .getJsonArray("x-ms-apimTemplate-operationName").stream().map(String.class::cast).toList());
          }
        });
  }

  @ParameterizedTest
  @MethodSource("folders")
  void pageableOperationsHaveTheirNextLinksRoutedThroughTheConnection(ConnectorFiles folder) {
    List<Operation> pageable = folder.definition().operations().stream()
        .filter(op -> op.json().containsKey("x-ms-pageable")).toList();
    assertThat(pageable).extracting(Operation::operationId).containsExactly(ApiRoutes.LIST_TENANT.operationId());
    for (Operation op : pageable) {
      String nextLink = op.json().getJsonObject("x-ms-pageable").getString("nextLinkName");
      assertThat(folder.definition().properties("CloudPcList").containsKey(nextLink)).isTrue();
      assertThat(folder.policies("updatenextlink")).filteredOn(p -> ConnectorFiles.appliesTo(p, op.operationId()))
          .singleElement().satisfies(p -> assertThat(p.getJsonObject("parameters")
              .getString("x-ms-apimTemplateParameter.nextLinkPropertyName")).isEqualTo(nextLink));
    }
  }

  @ParameterizedTest
  @MethodSource("folders")
  void signInIsEntraIdForTheFunctionsApiOrAbsentInBothFiles(ConnectorFiles folder) {
    JsonObject token = folder.connectionParameters().getJsonObject("token");
    boolean definitionSignsIn = folder.definition().root().containsKey("securityDefinitions");
    assertThat(token != null).as("properties and definition agree on sign-in").isEqualTo(definitionSignsIn);
    if (token == null) {
      assertThat(folder).isSameAs(keyOnly);
      return;
    }
    JsonObject oauth = token.getJsonObject("oAuthSettings");
    assertThat(token.getString("type")).isEqualTo("oauthSetting");
    assertThat(oauth.getString("identityProvider")).isEqualTo("aad");
    assertThat(oauth.getString("redirectMode")).isEqualTo("GlobalPerConnector");
    String resource = oauth.getJsonObject("customParameters").getJsonObject("resourceUri").getString("value");
    assertThat(oauth.getJsonObject("properties").getString("AzureActiveDirectoryResourceId")).isEqualTo(resource);
    if (folder == written) {
      assertThat(resource).isEqualTo("api://" + FUNCTION_CLIENT_ID);
      assertThat(oauth.getString("clientId")).isEqualTo(CONNECTOR_CLIENT_ID);
      assertThat(oauth.getJsonObject("customParameters").getJsonObject("loginUri").getString("value"))
          .isEqualTo("https://login.microsoftonline.us");
    } else {
      assertThat(resource).isEqualTo("api://FUNCTION_APP_CLIENT_ID");
      assertThat(oauth.getString("clientId")).isEqualTo("CONNECTOR_APP_CLIENT_ID");
    }
  }

  @Test
  void theWrittenFoldersNameTheFunctionAppAndKeepNoPlaceholder() throws IOException {
    for (ConnectorFiles folder : List.of(written, keyOnly)) {
      assertThat(folder.definition().root().getString("host")).isEqualTo(HOST);
      assertThat(folder.definition().root().getJsonArray("schemes").getList()).containsExactly("https");
      String text = Files.readString(folder.dir().resolve("apiDefinition.swagger.json"))
          + Files.readString(folder.dir().resolve("apiProperties.json"));
      PLACEHOLDERS.forEach(placeholder -> assertThat(text).doesNotContain(placeholder));
    }
    // The checked-in folder's placeholders are the ones its readme names, nothing else to find by hand.
    PLACEHOLDERS.forEach(placeholder -> assertThat(checkedIn.readme()).contains(placeholder));
    assertThat(checkedIn.definition().root().getString("host")).isEqualTo(PLACEHOLDERS.get(0));
  }

  @ParameterizedTest
  @MethodSource("folders")
  void everyCloudPcIdIsPickedFromAListOperationThatExists(ConnectorFiles folder) {
    DefinitionTree definition = folder.definition();
    int pickers = 0;
    for (Operation operation : definition.operations()) {
      for (JsonObject parameter : definition.parameters(operation)) {
        if (!"cloudPcId".equals(parameter.getString("name"))) {
          continue;
        }
        pickers++;
        assertPicker(definition, operation, parameter);
      }
    }
    assertThat(pickers).isEqualTo(5);
    JsonObject bulkItems = definition.properties("BulkReprovisionRequest").getJsonObject("cloudPcIds")
        .getJsonObject("items");
    assertPicker(definition, definition.operation(ApiRoutes.REPROVISION_MANY), bulkItems);
  }

  /** The picker's list operation is a GET of the definition answering {@code value: [{cloudPcId, displayName}]}. */
  private static void assertPicker(DefinitionTree definition, Operation caller, JsonObject parameter) {
    JsonObject values = parameter.getJsonObject("x-ms-dynamic-values");
    JsonObject list = parameter.getJsonObject("x-ms-dynamic-list");
    assertThat(values).as(caller.key()).isNotNull();
    assertThat(list).as(caller.key()).isNotNull();
    assertThat(list.getString("operationId")).isEqualTo(values.getString("operationId"));
    assertThat(list.getString("itemsPath")).isEqualTo(values.getString("value-collection")).isEqualTo("value");
    assertThat(list.getString("itemValuePath")).isEqualTo(values.getString("value-path")).isEqualTo("cloudPcId");
    assertThat(list.getString("itemTitlePath")).isEqualTo(values.getString("value-title")).isEqualTo("displayName");
    Operation target = definition.operations().stream()
        .filter(op -> op.operationId().equals(values.getString("operationId"))).findFirst().orElseThrow();
    assertThat(target.key()).startsWith("GET ");
    JsonObject item = definition.resolve(definition.properties(DefinitionTree.definitionName(
        definition.response(target, 200).getJsonObject("schema"))).getJsonObject("value").getJsonObject("items"));
    assertThat(item.getJsonObject("properties").fieldNames()).contains("cloudPcId", "displayName");
    // Parameters passed on name parameters of the caller, and parameters the target takes.
    List<String> callerNames = definition.parameters(caller).stream().map(p -> p.getString("name")).toList();
    List<String> targetNames = definition.parameters(target).stream().map(p -> p.getString("name")).toList();
    Map<String, String> fromValues = new HashMap<>();
    values.getJsonObject("parameters").forEach(p -> fromValues.put(p.getKey(),
        ((JsonObject) p.getValue()).getString("parameter")));
    Map<String, String> fromList = new HashMap<>();
    list.getJsonObject("parameters").forEach(p -> fromList.put(p.getKey(),
        ((JsonObject) p.getValue()).getString("parameterReference")));
    assertThat(fromList).isEqualTo(fromValues);
    fromValues.forEach((name, source) -> {
      assertThat(targetNames).contains(name);
      assertThat(callerNames).contains(source);
    });
  }

  @ParameterizedTest
  @MethodSource("folders")
  void theIconIsASquarePngOnTheBrandColour(ConnectorFiles folder) {
    BufferedImage icon = image(folder.icon());
    assertThat(folder.icon()).startsWith(new byte[] {(byte) 0x89, 'P', 'N', 'G'});
    assertThat(folder.icon().length).isLessThan(1024 * 1024);
    assertThat(icon.getWidth()).isEqualTo(icon.getHeight()).isBetween(100, 230);
    String brand = folder.properties().getString("iconBrandColor");
    assertThat(String.format("#%06X", icon.getRGB(0, 0) & 0xFFFFFF)).isEqualToIgnoringCase(brand);
    assertThat(icon.getRGB(0, 0) >>> 24).as("opaque").isEqualTo(0xFF);
  }

  @Test
  void theReadmeHasTheConventionalSectionsAndNamesEveryAction() {
    // The sections of the PowerPlatformConnectors readme template (templates/Independent Publisher/readme.md).
    assertThat(checkedIn.readme().lines().filter(l -> l.startsWith("## ")).toList()).contains("## Prerequisites",
        "## Supported Operations", "## Obtaining Credentials", "## Deployment Instructions",
        "## Known Issues and Limitations");
    assertThat(checkedIn.readme()).contains("## Publisher: ").contains("pac connector create")
        .contains("paconn create").contains("--connector");
    checkedIn.definition().operations().stream()
        .filter(op -> !"internal".equals(op.json().getString("x-ms-visibility")))
        .forEach(op -> assertThat(checkedIn.readme()).as(op.operationId())
            .contains(op.json().getString("summary")));
  }

  private static BufferedImage image(byte[] png) {
    try {
      return ImageIO.read(new ByteArrayInputStream(png));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
