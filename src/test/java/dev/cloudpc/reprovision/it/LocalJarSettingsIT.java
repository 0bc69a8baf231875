package dev.cloudpc.reprovision.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The local host refuses bad settings at start-up: a non-zero exit and a message naming the setting. */
class LocalJarSettingsIT {
  private static final Path JAR = Path.of(System.getProperty("localJar", "target/reprovision-local.jar"));

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "AZURE_TENANT_ID=                                           | AZURE_TENANT_ID",
      "AZURE_TENANT_ID=contoso.onmicrosoft.com                    | AZURE_TENANT_ID",
      "GRAPH_BASE_URL=http://graph.example.com                     | GRAPH_BASE_URL",
      "GRAPH_API_VERSION=v2                                        | GRAPH_API_VERSION",
      "AZURE_CLOUD=AzureChinaCloud                                 | AZURE_CLOUD",
      "REQUEST_DEADLINE_SECONDS=soon                               | REQUEST_DEADLINE_SECONDS",
      "GRAPH_TOKEN_MIN_REFETCH_SECONDS=-1                          | GRAPH_TOKEN_MIN_REFETCH_SECONDS",
      "PORT=http                                                   | PORT",
      "OTEL_EXPORTER_OTLP_ENDPOINT=http://collector.example.com    | OTEL_EXPORTER_OTLP_ENDPOINT",
      "AzureWebJobsStorage__credential=managedidentity             | AzureWebJobsStorage__tableServiceUri"})
  void aBadSettingStopsStartUpNamingIt(String assignment, String named) throws IOException, InterruptedException {
    ProcessBuilder builder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-jar", JAR.toString()).redirectErrorStream(true);
    Map<String, String> env = builder.environment();
    env.keySet().removeIf(k -> k.startsWith("AZURE_") || k.startsWith("GRAPH_") || k.startsWith("IDENTITY_")
        || k.startsWith("AzureWebJobs") || k.startsWith("OTEL_"));
    env.put("AZURE_TENANT_ID", "5b1e6c2a-7d4f-4c3b-9a8e-2f6d1c0b9e37");
    env.put("AZURE_CLIENT_ID", "0c7e4b2a-9f13-4d58-b6e1-2a8d5c9f0e74");
    env.put("AZURE_CLIENT_SECRET", "not-used");
    env.put("PORT", "0");
    String[] pair = assignment.split("=", 2);
    env.put(pair[0].trim(), pair[1].trim());
    Process process = builder.start();
    assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.exitValue()).as(output).isNotZero();
    assertThat(output).contains("ERROR").contains(named).doesNotContain("READY");
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "--connector target/connector-it --host https://fn.azurewebsites.net --key-only | --host",
      "--connector target/connector-it --host fn.azurewebsites.net                    | --function-client-id",
      "--connector target/connector-it --key-only --sandbox                           | --sandbox"})
  void aBadConnectorFlagStopsNamingIt(String flags, String named) throws IOException, InterruptedException {
    java.util.List<String> command = new java.util.ArrayList<>(java.util.List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar", JAR.toString()));
    command.addAll(java.util.List.of(flags.trim().split(" +")));
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    builder.environment().remove("AZURE_CLIENT_ID");
    Process process = builder.start();
    assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.exitValue()).as(output).isNotZero();
    assertThat(output).contains("ERROR").contains(named).doesNotContain("wrote");
  }
}
