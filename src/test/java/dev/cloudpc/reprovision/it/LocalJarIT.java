package dev.cloudpc.reprovision.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.vertx.core.json.JsonObject;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The built jar as a newcomer runs it: {@code java -jar reprovision-local.jar --sandbox} says READY, and the curl
 * lines it prints work as printed — the admin reprovision gets 202, the status then says provisioning, later
 * provisioned — each request prints a line with its trace id and the calls it made, and the connector line it prints
 * writes a connector folder for the tunnel's host.
 */
class LocalJarIT {
  private static final Path JAR = Path.of(System.getProperty("localJar", "target/reprovision-local.jar"));
  private static Process process;
  private static final List<String> output = new ArrayList<>();

  @BeforeAll
  static void start() throws Exception {
    assertThat(JAR).exists();
    int port;
    try (ServerSocket socket = new ServerSocket(0)) {
      port = socket.getLocalPort();
    }
    ProcessBuilder builder = new ProcessBuilder(javaBin(), "-jar", JAR.toString(), "--sandbox")
        .redirectErrorStream(true);
    builder.environment().put("PORT", Integer.toString(port));
    builder.environment().put("SANDBOX_REBUILD_SECONDS", "3");
    process = builder.start();
    CompletableFuture<Void> ready = new CompletableFuture<>();
    Thread reader = new Thread(() -> {
      try (BufferedReader lines = new BufferedReader(new InputStreamReader(process.getInputStream(),
          StandardCharsets.UTF_8))) {
        String line;
        while ((line = lines.readLine()) != null) {
          synchronized (output) {
            output.add(line);
            output.notifyAll();
          }
          if (line.contains("READY http://127.0.0.1:" + port)) {
            ready.complete(null);
          }
        }
        ready.completeExceptionally(new IllegalStateException("exited before READY: " + output));
      } catch (IOException e) {
        ready.completeExceptionally(e);
      }
    });
    reader.setDaemon(true);
    reader.start();
    ready.get(60, TimeUnit.SECONDS);
  }

  @AfterAll
  static void stop() throws InterruptedException {
    if (process != null) {
      process.destroy();
      process.waitFor(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void printedAdminCurlGets202ThenStatusGoesProvisioningThenProvisioned() throws Exception {
    assumeTrue(Files.isExecutable(Path.of("/usr/bin/curl")), "curl is needed to run the printed lines as printed");
    List<String> curls = printedCurls();
    assertThat(curls).hasSizeGreaterThanOrEqualTo(3);
    String adminCurl = curls.get(0);
    String statusCurl = curls.get(curls.size() - 1);

    String reprovision = run(adminCurl);
    assertThat(reprovision).startsWith("HTTP/1.1 202");
    JsonObject accepted = new JsonObject(reprovision.substring(reprovision.indexOf("\r\n\r\n") + 4));
    assertThat(accepted.getString("graphRequestId")).isNotBlank();

    assertThat(statusOf(run(statusCurl))).isEqualTo("provisioning");
    Instant giveUp = Instant.now().plus(Duration.ofSeconds(30));
    String status = "provisioning";
    while (!status.equals("provisioned") && Instant.now().isBefore(giveUp)) {
      Thread.sleep(250); // polling a separate process's clock-driven rebuild; nothing to synchronise on
      status = statusOf(run(statusCurl));
    }
    assertThat(status).isEqualTo("provisioned");
  }

  @Test
  void eachRequestPrintsALineWithItsTraceIdAndTheGraphCallsItMade() throws Exception {
    assumeTrue(Files.isExecutable(Path.of("/usr/bin/curl")), "curl is needed to run the printed lines as printed");
    String traceId = "5e1b3c7d9f0a2b4c6d8e0f1a3b5c7d9e";
    // The admin line as a dry run: every check and its Graph reads, nothing changed for the other tests.
    String dryRun = run(printedCurls().get(0).replace("/reprovision\"", "/reprovision?dryRun=true\"")
        + " -H 'traceparent: 00-" + traceId + "-1a2b3c4d5e6f7a8b-01'");
    assertThat(dryRun).startsWith("HTTP/1.1 200");

    int summary = awaitLine(0, line -> line.contains(" requests - POST /api/cloudpcs/{cloudPcId}/reprovision 200 ")
        && line.contains(" trace=" + traceId + " "), Duration.ofSeconds(10));
    int call = awaitLine(summary + 1, line -> !line.isBlank(), Duration.ofSeconds(10));
    synchronized (output) {
      assertThat(output.get(call)).as("the Graph read it made, on the next line")
          .matches(" +-> 127\\.0\\.0\\.1 GET /deviceManagement/virtualEndpoint/cloudPCs/\\{id\\} 200 \\d+ ms");
    }
  }

  @Test
  void printedUserCurlReprovisionsTheUsersOwnPc() throws Exception {
    assumeTrue(Files.isExecutable(Path.of("/usr/bin/curl")), "curl is needed to run the printed lines as printed");
    String answer = run(printedCurls().get(1));
    assertThat(answer).startsWith("HTTP/1.1 202");
    assertThat(answer).contains("\"route\":\"me\"");
  }

  @Test
  void printedConnectorLineWritesAKeyOnlyFolderForTheTunnelsHost() throws Exception {
    String line;
    synchronized (output) {
      line = output.stream().filter(l -> l.startsWith("java -jar ") && l.contains("--connector")).findFirst()
          .orElseThrow(() -> new AssertionError("no connector line in " + output));
    }
    assertThat(line).contains("<tunnel host>").contains(" && pac connector create ");
    String[] words = line.substring(0, line.indexOf(" && ")).replace("<tunnel host>", "sandbox-tunnel.example")
        .split(" ");
    Path folder = Path.of(words[java.util.Arrays.asList(words).indexOf("--connector") + 1]);
    List<String> command = new ArrayList<>(List.of(javaBin(), "-jar", JAR.toString()));
    command.addAll(java.util.Arrays.asList(words).subList(3, words.length));
    Process writer = new ProcessBuilder(command).redirectErrorStream(true).start();
    String written = new String(writer.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(writer.waitFor(30, TimeUnit.SECONDS)).isTrue();

    assertThat(writer.exitValue()).as(written).isZero();
    assertThat(new JsonObject(Files.readString(folder.resolve("apiDefinition.swagger.json"))).getString("host"))
        .isEqualTo("sandbox-tunnel.example");
    assertThat(new JsonObject(Files.readString(folder.resolve("apiProperties.json"))).getJsonObject("properties")
        .getJsonObject("connectionParameters").fieldNames()).containsExactlyInAnyOrder("functionKey",
            "functionAppHost");
    assertThat(line).contains(folder + "/apiDefinition.swagger.json", folder + "/apiProperties.json",
        folder + "/icon.png");
  }

  /** The index of the first output line from {@code from} on that matches, waiting for the process to print it. */
  private static int awaitLine(int from, java.util.function.Predicate<String> wanted, Duration limit)
      throws InterruptedException {
    long until = System.nanoTime() + limit.toNanos();
    synchronized (output) {
      for (int seen = from; ; ) {
        for (; seen < output.size(); seen++) {
          if (wanted.test(output.get(seen))) {
            return seen;
          }
        }
        long left = until - System.nanoTime();
        if (left <= 0) {
          throw new AssertionError("no such line in " + output);
        }
        output.wait(TimeUnit.NANOSECONDS.toMillis(left) + 1);
      }
    }
  }

  private static List<String> printedCurls() {
    synchronized (output) {
      return output.stream().filter(l -> l.startsWith("curl ")).toList();
    }
  }

  private static String statusOf(String answer) {
    assertThat(answer).startsWith("HTTP/1.1 200");
    return new JsonObject(answer.substring(answer.indexOf("\r\n\r\n") + 4)).getString("status");
  }

  private static String run(String curl) throws IOException, InterruptedException {
    Process shell = new ProcessBuilder("bash", "-c", curl + " -sS").redirectErrorStream(true).start();
    String text = new String(shell.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(shell.waitFor(30, TimeUnit.SECONDS)).isTrue();
    return text;
  }

  private static String javaBin() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }
}
