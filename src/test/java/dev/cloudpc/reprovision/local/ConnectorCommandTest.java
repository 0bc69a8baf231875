package dev.cloudpc.reprovision.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@code --connector}: the flags a maker gives are checked (each refusal names the flag) and land in the JSON fields
 * they belong to; the output says how to create the connector.
 */
class ConnectorCommandTest {
  private static final String FUNCTION_CLIENT_ID = "0c7e4b2a-9f13-4d58-b6e1-2a8d5c9f0e74";
  private static final String CONNECTOR_CLIENT_ID = "7a1d2c3b-4e5f-4a6b-8c7d-9e0f1a2b3c4d";

  @TempDir
  Path temp;

  @Test
  void writesTheFolderAndSaysHowToCreateTheConnector() throws IOException {
    Path dir = temp.resolve("connector");
    String output = ConnectorFolder.command(List.of("--connector", dir.toString(), "--host", "fn.azurewebsites.net",
        "--connector-client-id", CONNECTOR_CLIENT_ID), Map.of("AZURE_CLIENT_ID", FUNCTION_CLIENT_ID));

    assertThat(output).contains("https://fn.azurewebsites.net/api").contains(ConnectorFolder.pacCreate(dir.toString()))
        .contains("paconn create --settings settings.json --secret");
    JsonObject oauth = new JsonObject(Files.readString(dir.resolve("apiProperties.json"))).getJsonObject("properties")
        .getJsonObject("connectionParameters").getJsonObject("token").getJsonObject("oAuthSettings");
    assertThat(oauth.getString("clientId")).isEqualTo(CONNECTOR_CLIENT_ID);
    assertThat(oauth.getJsonObject("customParameters").getJsonObject("resourceUri").getString("value"))
        .as("--function-client-id defaults to AZURE_CLIENT_ID").isEqualTo("api://" + FUNCTION_CLIENT_ID);
    assertThat(oauth.getJsonObject("customParameters").getJsonObject("loginUri").getString("value"))
        .isEqualTo("https://login.microsoftonline.com");
    assertThat(new JsonObject(Files.readString(dir.resolve("apiDefinition.swagger.json"))).getString("host"))
        .isEqualTo("fn.azurewebsites.net");
  }

  @Test
  void keyOnlyNeedsNoClientIds() throws IOException {
    Path dir = temp.resolve("key-only");
    String output = ConnectorFolder.command(List.of("--connector", dir.toString(), "--host", "tunnel.example:8443",
        "--key-only"), Map.of());

    assertThat(output).contains("key only").doesNotContain("--secret");
    JsonObject parameters = new JsonObject(Files.readString(dir.resolve("apiProperties.json")))
        .getJsonObject("properties").getJsonObject("connectionParameters");
    assertThat(parameters.fieldNames()).containsExactlyInAnyOrder("functionKey", "functionAppHost");
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "--host                | https://fn.azurewebsites.net | --host",
      "--host                | fn.azurewebsites.net/api     | --host",
      "--connector-client-id | not-a-guid                   | --connector-client-id",
      "--function-client-id  | 42                           | --function-client-id",
      "--cloud               | AzureChinaCloud              | --cloud",
      "--tenant              | contoso                      | --tenant"})
  void aBadFlagIsRefusedNamingIt(String flag, String value, String named) {
    List<String> args = new ArrayList<>(List.of("--connector", temp.toString(), "--host", "fn.azurewebsites.net",
        "--function-client-id", FUNCTION_CLIENT_ID, "--connector-client-id", CONNECTOR_CLIENT_ID));
    int at = args.indexOf(flag);
    if (at >= 0) {
      args.set(at + 1, value);
    } else {
      args.addAll(List.of(flag, value));
    }

    assertThatThrownBy(() -> ConnectorFolder.command(args, Map.of())).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(named);
  }

  @Test
  void missingValuesAreNamed() {
    assertThatThrownBy(() -> ConnectorFolder.command(List.of("--connector", temp.toString(), "--host"), Map.of()))
        .hasMessageContaining("--host needs a value");
    assertThatThrownBy(() -> ConnectorFolder.command(List.of("--connector", temp.toString(), "--host",
        "fn.azurewebsites.net"), Map.of())).hasMessageContaining("--function-client-id").hasMessageContaining("GUID");
  }
}
