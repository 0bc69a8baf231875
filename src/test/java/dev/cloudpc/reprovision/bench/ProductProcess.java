package dev.cloudpc.reprovision.bench;

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The product (or the peer) as its own process, launched as the contract says ({@code java -jar
 * reprovision-local.jar}, settings in the environment), so that its CPU time, threads and memory are its own. Its output is drained into a log file by a
 * bench thread, which also notices the {@code READY} line.
 */
final class ProductProcess implements AutoCloseable {
  private static final Duration STOP_LIMIT = Duration.ofSeconds(10);

  private final Process process;
  private final int port;
  private final long launchedNanos;
  private final CompletableFuture<Long> ready = new CompletableFuture<>();

  private ProductProcess(Process process, int port, long launchedNanos, Path log) {
    this.process = process;
    this.port = port;
    this.launchedNanos = launchedNanos;
    Thread drain = new Thread(() -> drain(log), "bench-product-output");
    drain.setDaemon(true);
    drain.start();
  }

  /** Starts {@code java <javaArguments>} on a free loopback port (PORT in the environment). */
  static ProductProcess launch(List<String> javaArguments, Map<String, String> env, Path log) {
    int port = freePort();
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(javaArguments);
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    builder.environment().putAll(env);
    builder.environment().put("PORT", Integer.toString(port));
    long launched = System.nanoTime();
    try {
      return new ProductProcess(builder.start(), port, launched, log);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot launch " + command, e);
    }
  }

  /** Waits for READY; returns nanoseconds from launch to the READY line. */
  long awaitReady(Duration limit) {
    try {
      return ready.get(limit.toMillis(), TimeUnit.MILLISECONDS) - launchedNanos;
    } catch (ExecutionException e) {
      throw new IllegalStateException(e.getCause().getMessage(), e.getCause());
    } catch (TimeoutException e) {
      throw new IllegalStateException("the product did not print READY within " + limit.toSeconds() + " s");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for the product");
    }
  }

  long launchedNanos() {
    return launchedNanos;
  }

  long pid() {
    return process.pid();
  }

  int port() {
    return port;
  }

  /** SIGTERM (the product's shutdown hook closes Vert.x), then SIGKILL if it lingers. */
  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(STOP_LIMIT.toMillis(), TimeUnit.MILLISECONDS)) {
        process.destroyForcibly().waitFor(STOP_LIMIT.toMillis(), TimeUnit.MILLISECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
    }
  }

  private void drain(Path log) {
    String marker = "READY http://127.0.0.1:" + port;
    try (BufferedReader lines = new BufferedReader(new InputStreamReader(process.getInputStream(),
        StandardCharsets.UTF_8)); BufferedWriter out = Files.newBufferedWriter(log, StandardCharsets.UTF_8)) {
      String line;
      while ((line = lines.readLine()) != null) {
        if (!ready.isDone() && line.contains(marker)) {
          ready.complete(System.nanoTime());
        }
        out.write(line);
        out.newLine();
      }
    } catch (IOException e) {
      ready.completeExceptionally(e);
    }
    ready.completeExceptionally(new IllegalStateException("the product exited (" + exitCode() + ") before READY; "
        + "see " + log));
  }

  private String exitCode() {
    try {
      return process.waitFor(1, TimeUnit.SECONDS) ? "exit " + process.exitValue() : "still running";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "unknown";
    }
  }

  private static int freePort() {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException("no free loopback port", e);
    }
  }
}
