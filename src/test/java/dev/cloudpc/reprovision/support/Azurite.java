package dev.cloudpc.reprovision.support;

import dev.cloudpc.reprovision.config.StorageConnection;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Azurite's Table service (npm {@code azurite}, installed into target/azurite by the build) as a child process on a
 * free loopback port: started once per test JVM, stopped when the JVM exits, and stoppable and restartable on the
 * same port for outage tests. Ready when it prints that it started — no sleeps, no polling.
 */
public final class Azurite {
  private static Azurite shared;

  private final Path bin;
  private final Path workspace;
  private final int port;
  private Process process;

  private Azurite(Path dir, int port) {
    this.bin = dir.resolve("node_modules/.bin/azurite-table");
    this.workspace = dir.resolve("workspace");
    this.port = port;
  }

  /** The JVM's one Azurite, started on first use. */
  public static synchronized Azurite shared() {
    if (shared == null) {
      Path dir = Path.of(System.getProperty("azurite.dir", "target/azurite")).toAbsolutePath();
      shared = new Azurite(dir, freePort());
      shared.start();
      Runtime.getRuntime().addShutdownHook(new Thread(shared::stop));
    }
    if (!shared.running()) {
      shared.start();
    }
    return shared;
  }

  /** A connection string as AzureWebJobsStorage would hold it, with the emulator's published account and key. */
  public String connectionString() {
    return "DefaultEndpointsProtocol=http;AccountName=" + StorageConnection.DEV_ACCOUNT + ";AccountKey="
        + StorageConnection.DEV_KEY + ";TableEndpoint=" + tableEndpoint() + ";";
  }

  public String tableEndpoint() {
    return "http://127.0.0.1:" + port + "/" + StorageConnection.DEV_ACCOUNT;
  }

  public synchronized boolean running() {
    return process != null && process.isAlive();
  }

  public synchronized void start() {
    if (!Files.isExecutable(bin)) {
      throw new IllegalStateException(bin + " is missing: the build installs Azurite with npm (node and npm must be "
          + "on the PATH); run mvn -B verify, or npm ci in target/azurite");
    }
    try {
      Files.createDirectories(workspace);
      process = new ProcessBuilder(bin.toString(), "--inMemoryPersistence", "--tableHost", "127.0.0.1",
          "--tablePort", Integer.toString(port), "--disableTelemetry", "--silent")
          .directory(workspace.toFile()).redirectErrorStream(true).start();
      BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(),
          StandardCharsets.UTF_8));
      List<String> seen = new ArrayList<>();
      for (String line = out.readLine(); ; line = out.readLine()) {
        if (line == null) {
          throw new IllegalStateException("Azurite exited before it started: " + String.join(" | ", seen));
        }
        seen.add(line);
        if (line.contains("successfully started") || line.contains("successfully listening")) {
          break;
        }
      }
      Thread drain = new Thread(() -> out.lines().forEach(line -> { }), "azurite-output");
      drain.setDaemon(true);
      drain.start();
    } catch (IOException e) {
      throw new UncheckedIOException("could not start " + bin, e);
    }
  }

  /** Stops the emulator and waits until it has exited (its port then refuses connections). */
  public synchronized void stop() {
    if (process == null) {
      return;
    }
    process.destroy();
    try {
      if (!process.waitFor(20, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    process = null;
  }

  private static int freePort() {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
