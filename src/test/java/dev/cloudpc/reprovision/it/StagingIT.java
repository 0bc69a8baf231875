package dev.cloudpc.reprovision.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cloudpc.reprovision.http.ApiRoute;
import dev.cloudpc.reprovision.http.ApiRoutes;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * What `mvn package` staged for Azure: host.json, one function.json per route with the router's shape, the product's
 * jar (nothing of the sandbox or the local host) and lib/ (the OpenTelemetry API, never its SDK).
 */
class StagingIT {
  private static final Path STAGING = Path.of(System.getProperty("stagingDir", "target/azure-functions/none"));

  @Test
  void oneFunctionJsonPerRouteWithTemplateMethodAndAuthLevel() throws IOException {
    try (Stream<Path> entries = Files.list(STAGING)) {
      assertThat(entries.filter(Files::isDirectory).map(p -> p.getFileName().toString()).filter(n -> !n.equals("lib")))
          .containsExactlyInAnyOrderElementsOf(ApiRoutes.ALL.stream().map(ApiRoute::operationId).toList());
    }
    for (ApiRoute route : ApiRoutes.ALL) {
      JsonObject function = new JsonObject(Files.readString(STAGING.resolve(route.operationId())
          .resolve("function.json")));
      assertThat(function.getString("entryPoint")).startsWith("dev.cloudpc.reprovision.function.ReprovisionFunctions.");
      JsonObject trigger = function.getJsonArray("bindings").stream().map(JsonObject.class::cast)
          .filter(b -> "httpTrigger".equals(b.getString("type"))).findFirst().orElseThrow();
      assertThat(trigger.getString("route")).as(route.operationId()).isEqualTo(route.functionRoute());
      assertThat(trigger.getJsonArray("methods")).isEqualTo(new JsonArray().add(route.method().name()));
      assertThat(trigger.getString("authLevel")).isEqualTo(route.anonymous() ? "ANONYMOUS" : "FUNCTION");
      assertThat(STAGING.resolve(function.getString("scriptFile").replace("../", ""))).exists();
    }
  }

  @Test
  void bothJarsCarryTheConnectorFiles() throws IOException {
    Path functionJar;
    try (Stream<Path> jars = Files.list(STAGING)) {
      functionJar = jars.filter(p -> p.toString().endsWith(".jar")).findFirst().orElseThrow();
    }
    for (Path jar : List.of(functionJar, Path.of(System.getProperty("localJar", "target/reprovision-local.jar")))) {
      try (JarFile file = new JarFile(jar.toFile())) {
        assertThat(file.getEntry("connector/apiDefinition.swagger.json")).as(jar.toString()).isNotNull();
        assertThat(file.getEntry("connector/apiProperties.json")).as(jar.toString()).isNotNull();
      }
    }
  }

  @Test
  void theFunctionPackageHoldsTheProductButNoSandboxOrLocalHost() throws IOException {
    Path functionJar;
    try (Stream<Path> jars = Files.list(STAGING)) {
      functionJar = jars.filter(p -> p.toString().endsWith(".jar")).findFirst().orElseThrow();
    }
    try (JarFile file = new JarFile(functionJar.toFile())) {
      List<String> classes = file.stream().map(JarEntry::getName).filter(n -> n.endsWith(".class")).toList();
      assertThat(classes).contains("dev/cloudpc/reprovision/function/ReprovisionFunctions.class");
      assertThat(classes).noneMatch(n -> n.startsWith("dev/cloudpc/reprovision/sandbox/")
          || n.startsWith("dev/cloudpc/reprovision/local/"));
    }
    try (Stream<Path> jars = Files.list(STAGING.resolve("lib"))) {
      for (Path jar : jars.toList()) {
        try (JarFile file = new JarFile(jar.toFile())) {
          assertThat(file.stream().map(JarEntry::getName)).as(jar.toString())
              .noneMatch(n -> n.startsWith("dev/cloudpc/"));
        }
      }
    }
  }

  @Test
  void theLocalJarCarriesTheSandboxAndTheLocalHost() throws IOException {
    try (JarFile file = new JarFile(System.getProperty("localJar", "target/reprovision-local.jar"))) {
      assertThat(file.getManifest().getMainAttributes().getValue("Main-Class"))
          .isEqualTo("dev.cloudpc.reprovision.local.LocalMain");
      assertThat(file.getEntry("dev/cloudpc/reprovision/sandbox/SandboxTenant.class")).isNotNull();
      assertThat(file.getEntry("dev/cloudpc/reprovision/function/ReprovisionFunctions.class")).isNotNull();
    }
  }

  @Test
  void hostJsonUsesVersion2TheBundleAndTheApiPrefix() throws IOException {
    JsonObject host = new JsonObject(Files.readString(STAGING.resolve("host.json")));
    assertThat(host.getString("version")).isEqualTo("2.0");
    assertThat(host.getJsonObject("extensionBundle").getString("id"))
        .isEqualTo("Microsoft.Azure.Functions.ExtensionBundle");
    assertThat(host.getJsonObject("extensions").getJsonObject("http").getString("routePrefix")).isEqualTo("api");
  }

  /**
   * Audit events are never sampled away: without the Application Insights agent they reach Application Insights
   * through the host as traces of category {@code Function.<name>.User} (configure-monitoring.md, "Configure
   * categories"), so host.json exempts traces from adaptive sampling and logs that category at Information.
   */
  @Test
  void hostJsonKeepsEveryTraceAndRequestOutOfSamplingAndLogsEachFunctionsLinesAtInformation() throws IOException {
    JsonObject logging = new JsonObject(Files.readString(STAGING.resolve("host.json"))).getJsonObject("logging");
    JsonObject sampling = logging.getJsonObject("applicationInsights").getJsonObject("samplingSettings");
    assertThat(List.of(sampling.getString("excludedTypes").split(";"))).contains("Trace", "Request");
    JsonObject levels = logging.getJsonObject("logLevel");
    for (ApiRoute route : ApiRoutes.ALL) {
      String category = "Function." + route.operationId() + ".User";
      assertThat(effectiveLevel(levels, category)).as(category).isIn("Information", "Debug", "Trace");
    }
    assertThat(effectiveLevel(levels, "Host.Results")).as("the requests table").isEqualTo("Information");
  }

  /** host.json's rule: the longest category prefix that is configured wins, else {@code default}. */
  private static String effectiveLevel(JsonObject levels, String category) {
    return levels.fieldNames().stream().filter(prefix -> category.equals(prefix) || category.startsWith(prefix + "."))
        .max(Comparator.comparingInt(String::length)).map(levels::getString)
        .orElse(levels.getString("default"));
  }

  @Test
  void theFunctionPackageHoldsTheOpenTelemetryApiAndNoSdkOrExporter() throws IOException {
    List<String> libs;
    try (Stream<Path> jars = Files.list(STAGING.resolve("lib"))) {
      libs = jars.map(p -> p.getFileName().toString()).toList();
    }
    assertThat(libs).anyMatch(n -> n.startsWith("opentelemetry-api-"))
        .anyMatch(n -> n.startsWith("opentelemetry-context-"))
        .noneMatch(n -> n.startsWith("opentelemetry-sdk") || n.contains("exporter"));
    List<Path> jars = new ArrayList<>();
    try (Stream<Path> all = Stream.concat(Files.list(STAGING), Files.list(STAGING.resolve("lib")))) {
      all.filter(p -> p.toString().endsWith(".jar")).forEach(jars::add);
    }
    for (Path jar : jars) {
      try (JarFile file = new JarFile(jar.toFile())) {
        for (JarEntry entry : file.stream().toList()) {
          assertThat(entry.getName()).as(jar.toString()).doesNotStartWith("io/opentelemetry/sdk/")
              .doesNotStartWith("io/opentelemetry/exporter/");
          if (entry.getName().startsWith("dev/cloudpc/") && entry.getName().endsWith(".class")) {
            String bytes = new String(file.getInputStream(entry).readAllBytes(), StandardCharsets.ISO_8859_1);
            assertThat(bytes).as("%s refers to the SDK, which Azure does not give the app", entry.getName())
                .doesNotContain("io/opentelemetry/sdk/").doesNotContain("io/opentelemetry/exporter/");
          }
        }
      }
    }
  }

  @Test
  void libHoldsOneNettyVersionAndNoTestJars() throws IOException {
    try (Stream<Path> jars = Files.list(STAGING.resolve("lib"))) {
      var names = jars.map(p -> p.getFileName().toString()).toList();
      assertThat(names).anyMatch(n -> n.startsWith("vertx-core-"));
      assertThat(names.stream().filter(n -> n.startsWith("netty-"))
          .map(n -> n.replaceAll("^netty-[a-z0-9-]+?-(\\d.*)\\.jar$", "$1")).distinct()).hasSize(1);
      assertThat(names).noneMatch(n -> n.contains("junit") || n.contains("mock-oauth2") || n.contains("assertj"));
    }
  }
}
