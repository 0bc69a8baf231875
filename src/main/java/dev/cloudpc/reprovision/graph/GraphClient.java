package dev.cloudpc.reprovision.graph;

import dev.cloudpc.reprovision.config.Settings;
import dev.cloudpc.reprovision.http.RequestScope;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.net.ConnectException;
import java.time.Duration;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Calls Microsoft Graph without blocking. Retries only what Graph said it did not process (429, 503) and connections
 * that never carried the request, waiting as Graph asks, always inside the request's deadline. A request that may have
 * reached Graph (timeout after sending, reset, 5xx) is never sent again: it is reported so the caller can check.
 */
public final class GraphClient {
  private static final Logger LOG = LoggerFactory.getLogger(GraphClient.class);
  public static final String USER_AGENT = "cloudpc-reprovision/1.0 (Vert.x; +https://learn.microsoft.com/graph)";
  private static final Duration MIN_ATTEMPT = Duration.ofMillis(250);
  private static final int CONNECT_TIMEOUT_MS = 5_000;

  private final Vertx vertx;
  private final WebClient web;
  private final String host;
  private final String version;
  private final GraphTokens tokens;
  private final RetryPolicy retry;
  private final AtomicLong requestsSent = new AtomicLong();

  public GraphClient(Vertx vertx, WebClient web, Settings settings, GraphTokens tokens, RetryPolicy retry) {
    this.vertx = vertx;
    this.web = web;
    this.host = settings.graphBaseUrl().toString().replaceAll("/+$", "");
    this.version = settings.graphApiVersion();
    this.tokens = tokens;
    this.retry = retry;
  }

  /**
   * The WebClient for Graph: HTTP/2 over TLS where Graph offers it (one connection multiplexes many requests), and a
   * pool sized for many concurrent flows for HTTP/1.1 — Vert.x's default of a handful of connections per host would
   * cap throughput at pool size ÷ Graph latency.
   */
  public static WebClient createWebClient(Vertx vertx, Settings settings) {
    boolean tls = "https".equals(settings.graphBaseUrl().getScheme());
    WebClientOptions options = new WebClientOptions()
        .setUserAgent(USER_AGENT)
        .setConnectTimeout(CONNECT_TIMEOUT_MS)
        .setKeepAlive(true)
        .setDecompressionSupported(true)
        .setFollowRedirects(false);
    if (tls) {
      options.setProtocolVersion(HttpVersion.HTTP_2).setUseAlpn(true);
    }
    PoolOptions pool = new PoolOptions()
        .setHttp1MaxSize(settings.graphMaxConnections())
        .setHttp2MaxSize(4);
    return WebClient.create(vertx, options, pool);
  }

  public Future<GraphResponse> send(GraphCall call, RequestScope scope) {
    return attempt(call, scope, 1);
  }

  /** The absolute URL a call goes to (for dry runs and responses). */
  public String urlOf(GraphCall call) {
    return host + "/" + call.apiVersion().orElse(version) + call.path();
  }

  public long requestsSent() {
    return requestsSent.get();
  }

  private Future<GraphResponse> attempt(GraphCall call, RequestScope scope, int attempt) {
    if (scope.deadline().expired()) {
      return Future.failedFuture(GraphErrors.deadlineBeforeSending(call, scope));
    }
    Future<AccessToken> token = call.onBehalfOf().map(tokens::onBehalfOf).orElseGet(tokens::appOnly);
    return withinDeadline(token, call, scope)
        .compose(t -> exchange(call, t, scope, attempt))
        .compose(response -> {
          if (RetryPolicy.notProcessed(response.status()) && retry.mayRetry(attempt)) {
            Duration wait = retry.delay(response.retryAfter(), attempt);
            if (scope.deadline().allows(wait.plus(MIN_ATTEMPT))) {
              LOG.info("{} graph {} {} answered {} ({}); retrying in {} ms (attempt {})", scope.logTag(),
                  call.method(), call.path(), response.status(), response.errorCode(), wait.toMillis(), attempt + 1);
              return retryAfter(wait, call, scope, attempt);
            }
          }
          return Future.succeededFuture(response);
        });
  }

  /**
   * A token fetch is shared by every request waiting for it and has its own, longer timeout: each request stops
   * waiting at its own deadline. A Vert.x timer keeps that on the request's event loop.
   */
  private Future<AccessToken> withinDeadline(Future<AccessToken> token, GraphCall call, RequestScope scope) {
    if (token.isComplete()) {
      return token;
    }
    Promise<AccessToken> waiting = Promise.promise();
    long timer = vertx.setTimer(Math.max(1, scope.deadline().remainingMillis()),
        t -> waiting.tryFail(GraphErrors.deadlineAwaitingToken(call, scope)));
    token.onComplete(ar -> {
      vertx.cancelTimer(timer);
      if (ar.succeeded()) {
        waiting.tryComplete(ar.result());
      } else {
        waiting.tryFail(ar.cause());
      }
    });
    return waiting.future();
  }

  /** Vert.x refuses timers under 1 ms, and Graph may well say {@code Retry-After: 0}. */
  private Future<GraphResponse> retryAfter(Duration wait, GraphCall call, RequestScope scope, int attempt) {
    return vertx.timer(Math.max(1, wait.toMillis())).compose(v -> attempt(call, scope, attempt + 1));
  }

  private Future<GraphResponse> exchange(GraphCall call, AccessToken token, RequestScope scope, int attempt) {
    HttpRequest<Buffer> request = web.requestAbs(call.method(), urlOf(call))
        .timeout(Math.max(1, scope.deadline().remainingMillis()))
        .putHeader("Authorization", "Bearer " + token.value())
        .putHeader("Accept", "application/json")
        .putHeader("client-request-id", scope.clientRequestId());
    call.headers().forEach(request::putHeader);
    requestsSent.incrementAndGet();
    Future<HttpResponse<Buffer>> sent = call.body() == null ? request.send() : request.sendJsonObject(call.body());
    return sent.transform(ar -> ar.succeeded()
        ? Future.succeededFuture(response(ar.result(), attempt))
        : transportFailure(call, scope, attempt, ar.cause()));
  }

  private Future<GraphResponse> transportFailure(GraphCall call, RequestScope scope, int attempt, Throwable cause) {
    boolean neverSent = cause instanceof ConnectException;
    boolean timedOut = cause instanceof TimeoutException;
    if ((neverSent || (call.safeToRepeat() && !timedOut)) && retry.mayRetry(attempt)) {
      Duration wait = retry.delay(null, attempt);
      if (scope.deadline().allows(wait.plus(MIN_ATTEMPT))) {
        LOG.info("{} graph {} {} failed before an answer ({}); retrying in {} ms", scope.logTag(), call.method(),
            call.path(), cause.getClass().getSimpleName(), wait.toMillis());
        return retryAfter(wait, call, scope, attempt);
      }
    }
    LOG.warn("{} graph {} {} failed: {} {}", scope.logTag(), call.method(), call.path(),
        cause.getClass().getSimpleName(), cause.getMessage());
    return Future.failedFuture(GraphErrors.transport(call, scope, neverSent, timedOut));
  }

  private static GraphResponse response(HttpResponse<Buffer> response, int attempt) {
    JsonObject body = new JsonObject();
    Buffer buffer = response.body();
    if (buffer != null && buffer.length() > 0) {
      try {
        body = buffer.toJsonObject();
      } catch (RuntimeException notJson) {
        body = new JsonObject().put("error", new JsonObject().put("code", "nonJsonAnswer")
            .put("message", "Graph answered HTTP " + response.statusCode() + " without a JSON body"));
      }
    }
    String requestId = response.getHeader("request-id");
    if (requestId == null) {
      JsonObject inner = body.getJsonObject("error") == null ? null
          : body.getJsonObject("error").getJsonObject("innerError");
      requestId = inner == null ? null : inner.getString("request-id");
    }
    return new GraphResponse(response.statusCode(), body, requestId, response.getHeader("Retry-After"), attempt);
  }
}
