package dev.cloudpc.reprovision.local;

import dev.cloudpc.reprovision.ClassPreload;
import dev.cloudpc.reprovision.ReprovisionApp;
import dev.cloudpc.reprovision.config.Settings;
import dev.cloudpc.reprovision.config.SettingsException;
import dev.cloudpc.reprovision.sandbox.SandboxOptions;
import dev.cloudpc.reprovision.sandbox.SandboxTenant;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.LoggerFactory;

/**
 * The local host: serves the same router as the Azure Function at {@code http://127.0.0.1:$PORT/api/...}, settings
 * from environment variables. {@code --sandbox} also starts an embedded fake tenant (identity + Graph) and points the
 * settings at it, so the product runs with no tenant at all.
 */
public final class LocalMain {
  private static final int EXIT_BAD_SETTINGS = 2;
  private static final int EXIT_START_FAILED = 3;

  private LocalMain() {
  }

  public static void main(String[] args) {
    ClassPreload.start();
    List<String> flags = Arrays.asList(args);
    if (flags.contains("--help") || flags.contains("-h")) {
      System.out.println("usage: java -jar reprovision-local.jar [--sandbox]\n"
          + "  settings come from environment variables (see local.settings.json.example); PORT defaults to 7071\n"
          + "  --sandbox  also start an embedded fake tenant and Graph, print a key, tokens and curl examples, and a\n"
          + "             line per request with its trace id and the Graph, identity and storage calls it made\n"
          + "  OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:4318  also send spans and metrics over OTLP/HTTP\n"
          + "usage: java -jar reprovision-local.jar --connector <dir> --host <function app host>\n"
          + "           --function-client-id <id> --connector-client-id <id> [--cloud AzureUSGovernment] [--key-only]\n"
          + "  write the Power Platform custom connector folder for that function app and exit\n"
          + "  (--function-client-id defaults to AZURE_CLIENT_ID; --key-only: no sign-in, no client ids)");
      return;
    }
    if (flags.contains("--connector")) {
      try {
        System.out.println(ConnectorFolder.command(flags, System.getenv()));
      } catch (IllegalArgumentException | java.io.UncheckedIOException e) {
        fail(EXIT_BAD_SETTINGS, e.getMessage());
      }
      return;
    }
    for (String flag : flags) {
      if (!flag.equals("--sandbox")) {
        fail(EXIT_BAD_SETTINGS, "unknown argument '" + flag + "' (try --help)");
      }
    }
    Map<String, String> env = new HashMap<>(System.getenv());
    int port = port(env);
    Vertx vertx = ReprovisionApp.createVertx();
    Runtime.getRuntime().addShutdownHook(new Thread(() -> await(vertx.close(), Duration.ofSeconds(5))));
    SandboxTenant sandbox = null;
    if (flags.contains("--sandbox")) {
      SandboxOptions options = SandboxOptions.defaults();
      if (env.containsKey("SANDBOX_REBUILD_SECONDS")) {
        options = options.withRebuildTime(Duration.ofSeconds(parsePositive(env, "SANDBOX_REBUILD_SECONDS")));
      }
      if (env.containsKey("FUNCTION_KEY")) {
        options = options.withFunctionKey(env.get("FUNCTION_KEY"));
      }
      sandbox = await(SandboxTenant.start(vertx, options), Duration.ofSeconds(60));
      env.putAll(sandbox.environment());
    }
    Settings settings;
    LocalTelemetry telemetry;
    try {
      settings = Settings.fromEnvironment(env);
      telemetry = LocalTelemetry.from(env, sandbox != null, LoggerFactory.getLogger("requests")::info);
    } catch (SettingsException e) {
      fail(EXIT_BAD_SETTINGS, "bad setting " + e.getMessage());
      return;
    }
    Runtime.getRuntime().addShutdownHook(new Thread(telemetry::close));
    ReprovisionApp app;
    try {
      app = await(ReprovisionApp.start(vertx, settings, ReprovisionApp.Listen.loopback(port), telemetry.api()),
          Duration.ofSeconds(60));
    } catch (RuntimeException e) {
      fail(EXIT_START_FAILED, "could not listen on 127.0.0.1:" + port + " (PORT): " + e.getMessage());
      return;
    }
    String base = "http://127.0.0.1:" + app.port();
    if (sandbox != null) {
      System.out.println(sandbox.banner(base + "/api", ConnectorFolder.sandboxImport(app.port())));
    } else if (settings.functionKey().isEmpty()) {
      System.out.println("note: FUNCTION_KEY is not set, so no function key is required locally");
    }
    if (env.get(LocalTelemetry.OTLP_ENDPOINT) != null && !env.get(LocalTelemetry.OTLP_ENDPOINT).isBlank()) {
      System.out.println("spans and metrics go over OTLP to " + env.get(LocalTelemetry.OTLP_ENDPOINT).trim());
    }
    System.out.println("READY " + base);
    System.out.flush();
  }

  private static int port(Map<String, String> env) {
    if (!env.containsKey("PORT") || env.get("PORT").isBlank()) {
      return 7071;
    }
    try {
      int port = Integer.parseInt(env.get("PORT").trim());
      if (port >= 0 && port <= 65535) {
        return port; // 0: any free port, announced on the READY line
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    fail(EXIT_BAD_SETTINGS, "bad setting PORT: '" + env.get("PORT") + "' is not a TCP port (0..65535)");
    return 0;
  }

  private static int parsePositive(Map<String, String> env, String name) {
    try {
      int value = Integer.parseInt(env.get(name).trim());
      if (value < 1) {
        throw new NumberFormatException();
      }
      return value;
    } catch (NumberFormatException e) {
      fail(EXIT_BAD_SETTINGS, "bad setting " + name + ": '" + env.get(name) + "' must be a positive whole number");
      return 0;
    }
  }

  private static <T> T await(Future<T> future, Duration timeout) {
    try {
      return future.toCompletionStage().toCompletableFuture().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause().getMessage(),
          e.getCause());
    } catch (TimeoutException e) {
      throw new IllegalStateException("timed out after " + timeout.toSeconds() + " s");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted");
    }
  }

  private static void fail(int code, String message) {
    System.err.println("ERROR " + message);
    System.exit(code);
  }
}
