package dev.cloudpc.reprovision.function;

import dev.cloudpc.reprovision.ReprovisionApp;
import dev.cloudpc.reprovision.config.Secret;
import dev.cloudpc.reprovision.config.Settings;
import dev.cloudpc.reprovision.http.Handover;
import dev.cloudpc.reprovision.request.Problem;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Hands a Functions invocation to the one Vert.x router of this worker JVM and waits for its answer. The router
 * listens on an ephemeral loopback port; this forwards with Vert.x's HttpClient (public API only) and adds the
 * hand-over headers, vouched for by a per-process random secret. The invocation thread is the only one that blocks,
 * and only up to the request's deadline.
 */
public final class RouterHandover {
  private static final Duration GRACE = Duration.ofSeconds(2);
  private static final Set<String> NOT_FORWARDED = Set.of("host", "content-length", "connection",
      "transfer-encoding", "keep-alive", "upgrade", "te", "trailer", "proxy-connection");
  private static final Object LOCK = new Object();
  private static volatile RouterHandover shared;

  private final Settings settings;
  private final Secret secret;
  private final HttpClient client;
  private final Context context;

  /** What the router answered. */
  public record Answer(int status, MultiMap headers, String body) {
  }

  /**
   * A request as the Functions host handed it over: {@code origin} and {@code pathAndQuery} from
   * {@link RequestTarget}, the headers as the worker gives them (lower-cased names, repeats joined), the body if the
   * host delivered one, the invocation's id and W3C trace context (traceparent null when the worker has none), the
   * {@code client-request-id} settled for the request, and whether the host checked a function key.
   */
  public record Inbound(String method, String origin, String pathAndQuery, Map<String, String> headers, String body,
                        String invocationId, String traceparent, String tracestate, String clientRequestId,
                        boolean keyVerified) {

    /**
     * The caller announced a body that did not arrive: the host reads a body only when Content-Length &gt; 0
     * (azure-functions-host {@code GrpcMessageConversionExtensions.cs}, {@code ToRpcHttp}; issues 4926, 7930), so
     * a chunked one is lost while its Transfer-Encoding header still arrives.
     */
    boolean bodyDropped() {
      if (body != null && !body.isEmpty()) {
        return false;
      }
      String length = headers.get("content-length");
      return headers.get("transfer-encoding") != null || (length != null && !length.trim().matches("0*"));
    }
  }

  private RouterHandover(Settings settings, Secret secret, HttpClient client, Context context) {
    this.settings = settings;
    this.secret = secret;
    this.client = client;
    this.context = context;
  }

  /** The JVM-wide instance, created once even when the first invocations arrive together. */
  static RouterHandover shared() {
    RouterHandover current = shared;
    if (current == null) {
      synchronized (LOCK) {
        current = shared;
        if (current == null) {
          Settings settings = Settings.fromEnvironment(System.getenv());
          Vertx vertx = ReprovisionApp.createVertx();
          try {
            current = start(vertx, settings);
          } catch (RuntimeException e) {
            vertx.close();
            throw e;
          }
          shared = current;
        }
      }
    }
    return current;
  }

  /** Starts the app on loopback in {@code vertx} and connects to it; blocks the calling (non-event-loop) thread. */
  public static RouterHandover start(Vertx vertx, Settings settings) {
    byte[] random = new byte[32];
    new SecureRandom().nextBytes(random);
    Secret secret = new Secret(Base64.getUrlEncoder().withoutPadding().encodeToString(random));
    ReprovisionApp.Listen listen = new ReprovisionApp.Listen("127.0.0.1", 0, Optional.of(secret),
        Math.max(1, Runtime.getRuntime().availableProcessors()));
    ReprovisionApp app = await(ReprovisionApp.start(vertx, settings, listen), Duration.ofSeconds(60));
    HttpClient client = vertx.createHttpClient(new HttpClientOptions()
            .setDefaultHost("127.0.0.1").setDefaultPort(app.port()).setKeepAlive(true).setTcpNoDelay(true),
        new PoolOptions().setHttp1MaxSize(512));
    return new RouterHandover(settings, secret, client, vertx.getOrCreateContext());
  }

  public Answer forward(Inbound inbound) {
    Duration budget = settings.requestDeadline();
    RequestOptions options = new RequestOptions()
        .setMethod(HttpMethod.valueOf(inbound.method()))
        .setURI(inbound.pathAndQuery())
        .setTimeout(budget.plus(GRACE).toMillis());
    MultiMap headers = MultiMap.caseInsensitiveMultiMap();
    inbound.headers().forEach((name, value) -> {
      if (!NOT_FORWARDED.contains(name.toLowerCase(java.util.Locale.ROOT))) {
        headers.add(name, value);
      }
    });
    headers.remove(Handover.SECRET);
    headers.set(Handover.SECRET, secret.value())
        .set(Handover.INVOCATION_ID, inbound.invocationId())
        .set(Handover.DEADLINE_MS, Long.toString(budget.toMillis()))
        .set(Handover.KEY_VERIFIED, Boolean.toString(inbound.keyVerified()))
        .set(Handover.ORIGIN, origin(inbound))
        .set("client-request-id", inbound.clientRequestId());
    // The standard W3C headers, the invocation's in place of the caller's: the host made the invocation a child of
    // the caller's trace, and the router's request span is the invocation's child.
    headers.remove("traceparent");
    headers.remove("tracestate");
    if (inbound.traceparent() != null) {
      headers.set("traceparent", inbound.traceparent());
      if (inbound.tracestate() != null && !inbound.tracestate().isEmpty()) {
        headers.set("tracestate", inbound.tracestate());
      }
    }
    if (inbound.bodyDropped()) {
      headers.set(Handover.BODY_DROPPED, "true");
    }
    options.setHeaders(headers);
    Buffer body = Buffer.buffer(inbound.body() == null ? "" : inbound.body());
    // The exchange runs on a Vert.x context: composed from this worker thread, a listener could attach to the
    // response after its body already streamed in on the event loop, and the answer would be lost.
    Promise<Answer> answer = Promise.promise();
    context.runOnContext(v -> client.request(options)
        .compose(request -> request.send(body))
        .compose(response -> response.body().map(b -> new Answer(response.statusCode(), response.headers(),
            b.toString())))
        .onComplete(answer));
    try {
      return answer.future().toCompletionStage().toCompletableFuture()
          .get(budget.plus(GRACE).plus(GRACE).toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      return problem(inbound.clientRequestId(), Problem.of(504, "deadline-exceeded", "Gateway timeout",
          "The request did not finish within " + budget.toSeconds() + " s (REQUEST_DEADLINE_SECONDS). If it was "
              + "a reprovision, check the Cloud PC's status before trying again."));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return problem(inbound.clientRequestId(), Problem.of(503, "shutting-down", "Service unavailable",
          "The function is shutting down; try again."));
    } catch (ExecutionException e) {
      return problem(inbound.clientRequestId(), Problem.of(502, "handover-failed", "Bad gateway",
          "The request could not be handed to the router, or its answer was lost ("
              + e.getCause().getClass().getSimpleName() + "). If it was a reprovision, check the Cloud PC's status "
              + "before trying again."));
    }
  }

  /** Start-up failed (bad settings): every request says which setting to fix. */
  static Answer startFailure(Inbound inbound, RuntimeException failure) {
    return problem(inbound.clientRequestId(), Problem.of(500, "function-misconfigured", "Function misconfigured",
        "The function could not start: " + failure.getMessage() + ". Fix the application setting and restart the "
            + "function app."));
  }

  /** A problem the entry answers itself, with the request's client-request-id as the router would add it. */
  static Answer problem(String clientRequestId, Problem problem) {
    MultiMap headers = MultiMap.caseInsensitiveMultiMap().add("Content-Type", Problem.CONTENT_TYPE)
        .add("client-request-id", clientRequestId);
    problem.headers().forEach(headers::add);
    return new Answer(problem.status(), headers, problem.with("clientRequestId", clientRequestId).toJson().encode());
  }

  /**
   * The scheme and authority the caller used: the URL the host handed over. App Service ends TLS at its front end and
   * says so in X-Forwarded-Proto; the Functions host already applies that (and the front end's DISGUISED-HOST) to the
   * URL where App Service does not (azure-functions-host {@code AppServiceHeaderFixupMiddleware}, Linux plans; App
   * Service's own module on Windows), so repeating it here only matters for a host that did not. Read as that
   * middleware reads it: the first value, and only http or https. X-Forwarded-Host is never read: the platform does
   * not set it, so only a caller or a proxy the function cannot vouch for could.
   */
  static String origin(Inbound inbound) {
    String forwarded = inbound.headers().get("x-forwarded-proto");
    String proto = forwarded == null ? "" : forwarded.split(",", -1)[0].trim().toLowerCase(java.util.Locale.ROOT);
    boolean known = proto.equals("http") || proto.equals("https");
    return known ? proto + inbound.origin().substring(inbound.origin().indexOf("://")) : inbound.origin();
  }

  static <T> T await(Future<T> future, Duration timeout) {
    try {
      return future.toCompletionStage().toCompletableFuture().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
    } catch (TimeoutException e) {
      throw new IllegalStateException("the router did not start within " + timeout.toSeconds() + " s", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while starting the router", e);
    }
  }
}
