package dev.cloudpc.reprovision.graph;

import dev.cloudpc.reprovision.config.UserAgent;
import dev.cloudpc.reprovision.request.InvocationLog;
import dev.cloudpc.reprovision.request.RequestScope;
import dev.cloudpc.reprovision.telemetry.Metrics;
import dev.cloudpc.reprovision.telemetry.Outbound;
import dev.cloudpc.reprovision.telemetry.Telemetry;
import io.opentelemetry.api.common.AttributeKey;
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
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;

/**
 * Calls Microsoft Graph without blocking. Retries only what Graph said it did not process (429, 503, and a 401 once
 * with a new token) and connections that never carried the request, waiting as Graph asks, always inside the
 * request's deadline. A request that may have
 * reached Graph (timeout after sending, reset, 5xx) is never sent again: it is reported so the caller can check.
 * Every send is a client span under the request's (its {@code traceparent} goes to Graph) and counts in
 * {@link Metrics#GRAPH_REQUESTS}; the budget's waits and Graph's pauses are counted where they are decided here.
 */
public final class GraphClient {
  private static final Logger LOG = LoggerFactory.getLogger(GraphClient.class);
  private static final Duration MIN_ATTEMPT = Duration.ofMillis(250);
  private static final int CONNECT_TIMEOUT_MS = 5_000;
  static final AttributeKey<String> REQUEST_ID = AttributeKey.stringKey("graph.request_id");
  static final AttributeKey<Long> ATTEMPT = AttributeKey.longKey("graph.attempt");
  static final AttributeKey<Boolean> THROTTLED = AttributeKey.booleanKey("graph.throttled");
  static final AttributeKey<String> RETRY_AFTER = AttributeKey.stringKey("graph.retry_after");
  static final AttributeKey<String> ERROR_CODE = AttributeKey.stringKey("graph.error_code");
  /** Path segments that name one object (GUIDs, UPNs): a span's name shows the operation, not the object. */
  private static final Pattern OBJECT_SEGMENT =
      Pattern.compile("/(?:[0-9a-fA-F]{8}-[0-9a-fA-F-]{27}|[^/?]*(?:@|%40)[^/?]*)");

  private final Vertx vertx;
  private final WebClient web;
  private final String host;
  private final String version;
  private final GraphTokens tokens;
  private final RetryPolicy retry;
  private final GraphBudget budget;
  private final Telemetry telemetry;
  private final String hostName;
  private final AtomicLong requestsSent = new AtomicLong();

  public GraphClient(Vertx vertx, WebClient web, GraphClientOptions options, GraphTokens tokens, RetryPolicy retry,
                     GraphBudget budget, Telemetry telemetry) {
    this.vertx = vertx;
    this.web = web;
    this.host = options.baseUrl().toString().replaceAll("/+$", "");
    this.version = options.apiVersion();
    this.tokens = tokens;
    this.retry = retry;
    this.budget = budget;
    this.telemetry = telemetry;
    this.hostName = options.baseUrl().getHost();
  }

  /**
   * The WebClient for Graph: HTTP/2 over TLS where Graph offers it (one connection multiplexes many requests), and a
   * pool sized for many concurrent flows for HTTP/1.1 — Vert.x's default of a handful of connections per host would
   * cap throughput at pool size ÷ Graph latency.
   */
  public static WebClient createWebClient(Vertx vertx, GraphClientOptions graph) {
    boolean tls = "https".equals(graph.baseUrl().getScheme());
    WebClientOptions options = new WebClientOptions()
        .setUserAgent(UserAgent.VALUE)
        .setConnectTimeout(CONNECT_TIMEOUT_MS)
        .setKeepAlive(true)
        .setDecompressionSupported(true)
        .setFollowRedirects(false);
    if (tls) {
      options.setProtocolVersion(HttpVersion.HTTP_2).setUseAlpn(true);
    }
    PoolOptions pool = new PoolOptions()
        .setHttp1MaxSize(graph.maxConnections())
        .setHttp2MaxSize(4);
    return WebClient.create(vertx, options, pool);
  }

  public Future<GraphResponse> send(GraphCall call, RequestScope scope) {
    return attempt(call, scope, new Attempt(1, false, System.nanoTime(), GraphLimit.of(call)));
  }

  /** The absolute URL a call goes to (for dry runs and responses). */
  public String urlOf(GraphCall call) {
    return host + "/" + call.apiVersion().orElse(version) + call.path();
  }

  public long requestsSent() {
    return requestsSent.get();
  }

  /**
   * Which send this is, whether a token Graph refused was already replaced for this call, when the call first asked
   * (its place in the budget's queue, kept by retries), and the Windows 365 limit it spends (worked out once per
   * call, not per send).
   */
  private record Attempt(int number, boolean tokenRenewed, long arrival, Optional<GraphLimit> limit) {
    Attempt next() {
      return new Attempt(number + 1, tokenRenewed, arrival, limit);
    }

    Attempt withRenewedToken() {
      return new Attempt(number + 1, true, arrival, limit);
    }
  }

  private Future<GraphResponse> attempt(GraphCall call, RequestScope scope, Attempt attempt) {
    if (scope.deadline().expired()) {
      return Future.failedFuture(GraphErrors.deadlineBeforeSending(call, scope));
    }
    Future<AccessToken> token = call.onBehalfOf().map(tokens::onBehalfOf).orElseGet(tokens::appOnly);
    // The token first, then the turn: a granted turn is sent at once, so the send falls where the budget placed it.
    return withinDeadline(token, call, scope)
        .compose(t -> turn(scope, attempt)
            .compose(v -> exchange(call, t, scope, attempt))
            .compose(response -> answered(call, t, response, scope, attempt)));
  }

  private Future<Void> turn(RequestScope scope, Attempt attempt) {
    return attempt.limit().map(limit -> {
      long asked = System.nanoTime();
      Future<Void> turn = budget.turn(limit, attempt.arrival(), scope);
      Metrics metrics = telemetry.metrics();
      return metrics.enabled() ? turn.onComplete(granted -> metrics.budgetTurn(limit.key(),
          System.nanoTime() - asked, granted.succeeded())) : turn;
    }).orElseGet(Future::succeededFuture);
  }

  private Future<GraphResponse> answered(GraphCall call, AccessToken token, GraphResponse response,
                                         RequestScope scope, Attempt attempt) {
    if (response.status() == 401) {
      return refused(call, token, response, scope, attempt);
    }
    tokens.accepted(call, token);
    if (response.status() == 403 && tokens.forbidden(call, token)) {
      // Not sent again: whether a workload acted before refusing is not documented for every action. The next
      // request carries a new token, which holds any permission consented since this one was issued.
      InvocationLog.log(LOG, Level.WARN, scope, scope.logTag() + " graph " + call.method() + " " + call.path()
          + " answered 403 (" + response.errorCode() + ") to the app-only token; a new token is fetched for later "
          + "requests so that newly consented permissions apply", null);
    }
    if (RetryPolicy.notProcessed(response.status()) && retry.mayRetry(attempt.number())) {
      Duration wait = retry.delay(response.retryAfter(), attempt.number());
      Optional<GraphLimit> limit = attempt.limit();
      if (response.status() == 429 && limit.isPresent()) {
        // One pause for every request of this limit, here and (through the budget) on the other instances; this
        // request keeps its place and is sent again when its turn comes after the pause.
        budget.throttled(limit.get(), wait);
        telemetry.metrics().budgetPause(limit.get().key());
        if (scope.deadline().allows(wait.plus(MIN_ATTEMPT))) {
          InvocationLog.log(LOG, Level.INFO, scope, scope.logTag() + " graph " + call.method() + " " + call.path()
              + " answered 429 (" + response.errorCode() + "); " + limit.get().documentedName() + " paused for "
              + wait.toMillis() + " ms, retrying in turn (attempt " + (attempt.number() + 1) + ")", null);
          return attempt(call, scope, attempt.next());
        }
        return Future.succeededFuture(response);
      }
      if (scope.deadline().allows(wait.plus(MIN_ATTEMPT))) {
        InvocationLog.log(LOG, Level.INFO, scope, scope.logTag() + " graph " + call.method() + " " + call.path()
            + " answered " + response.status() + " (" + response.errorCode() + "); retrying in " + wait.toMillis()
            + " ms (attempt " + (attempt.number() + 1) + ")", null);
        return retryAfter(wait, call, scope, attempt.next());
      }
    }
    return Future.succeededFuture(response);
  }

  /**
   * Graph refused the token (revoked or rolled, issued before a tenant change, clock skew): drop it where it was
   * cached and send the call once more with a new one — fetched once for every call it refused. A 401 means Graph
   * authenticated nothing and so processed nothing ("Required authentication information is either missing or not
   * valid", learn.microsoft.com/graph/errors; learn.microsoft.com/graph/resolve-auth-errors: "Is your token valid?";
   * RFC 9110 §15.5.2: "the request has not been applied"), so this is safe for the reprovision POST too. A second
   * 401, with a token fetched after the first, is the caller's answer (a 502 naming the credential settings).
   */
  private Future<GraphResponse> refused(GraphCall call, AccessToken token, GraphResponse response,
                                        RequestScope scope, Attempt attempt) {
    boolean dropped = tokens.refused(call, token, response);
    if (attempt.tokenRenewed()) {
      InvocationLog.log(LOG, Level.WARN, scope, scope.logTag() + " graph " + call.method() + " " + call.path()
          + " refused a renewed token too (" + response.errorCode() + ", request-id " + response.requestId() + ")",
          null);
      return Future.succeededFuture(response);
    }
    InvocationLog.log(LOG, Level.INFO, scope, scope.logTag() + " graph " + call.method() + " " + call.path()
        + " refused the token (" + response.errorCode() + ", request-id " + response.requestId() + ")"
        + (dropped ? ", dropped it" : "") + "; retrying once with a new one", null);
    return attempt(call, scope, attempt.withRenewedToken());
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
  private Future<GraphResponse> retryAfter(Duration wait, GraphCall call, RequestScope scope, Attempt next) {
    return vertx.timer(Math.max(1, wait.toMillis())).compose(v -> attempt(call, scope, next));
  }

  private Future<GraphResponse> exchange(GraphCall call, AccessToken token, RequestScope scope, Attempt attempt) {
    String url = urlOf(call);
    Outbound span = telemetry.outbound(call.method().name(), scope.trace(), call.method().name(), hostName);
    Metrics metrics = telemetry.metrics();
    String limit = span.recording() || metrics.enabled()
        ? attempt.limit().map(GraphLimit::key).orElse(Metrics.UNLIMITED) : null;
    if (span.recording()) {
      span.rename(call.method().name() + " " + OBJECT_SEGMENT.matcher(call.path().split("\\?", 2)[0])
          .replaceAll("/{id}"));
      span.url(url).attribute(Metrics.LIMIT, limit).attribute(ATTEMPT, attempt.number());
    }
    HttpRequest<Buffer> request = web.requestAbs(call.method(), url)
        .timeout(Math.max(1, scope.deadline().remainingMillis()))
        .putHeader("Authorization", token.authorization())
        .putHeader("Accept", "application/json")
        .putHeader("client-request-id", scope.clientRequestId());
    call.headers().forEach(request::putHeader);
    span.inject(request::putHeader);
    requestsSent.incrementAndGet();
    Instant sentAt = Instant.now();
    Future<HttpResponse<Buffer>> sent = call.body() == null ? request.send() : request.sendJsonObject(call.body());
    return sent.transform(ar -> {
      if (ar.failed()) {
        span.failed(ar.cause());
        metrics.graphRequest(limit, 0);
        return transportFailure(call, scope, attempt, ar.cause());
      }
      GraphResponse response = response(ar.result(), attempt.number(), sentAt);
      metrics.graphRequest(limit, response.status());
      if (span.recording()) {
        boolean throttled = RetryPolicy.notProcessed(response.status());
        span.attribute(REQUEST_ID, response.requestId()).attribute(THROTTLED, throttled)
            .attribute(RETRY_AFTER, response.retryAfter()).attribute(ERROR_CODE, response.errorCode());
      }
      span.answered(response.status());
      return Future.succeededFuture(response);
    });
  }

  private Future<GraphResponse> transportFailure(GraphCall call, RequestScope scope, Attempt attempt,
                                                 Throwable cause) {
    boolean neverSent = cause instanceof ConnectException;
    boolean timedOut = cause instanceof TimeoutException;
    if ((neverSent || (call.safeToRepeat() && !timedOut)) && retry.mayRetry(attempt.number())) {
      Duration wait = retry.delay(null, attempt.number());
      if (scope.deadline().allows(wait.plus(MIN_ATTEMPT))) {
        InvocationLog.log(LOG, Level.INFO, scope, scope.logTag() + " graph " + call.method() + " " + call.path()
            + " failed before an answer (" + cause.getClass().getSimpleName() + "); retrying in " + wait.toMillis()
            + " ms", null);
        return retryAfter(wait, call, scope, attempt.next());
      }
    }
    InvocationLog.log(LOG, Level.WARN, scope, scope.logTag() + " graph " + call.method() + " " + call.path()
        + " failed: " + cause.getClass().getSimpleName() + " " + cause.getMessage(), null);
    return Future.failedFuture(GraphErrors.transport(call, scope, neverSent, timedOut));
  }

  private static GraphResponse response(HttpResponse<Buffer> response, int attempt, Instant sentAt) {
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
    return new GraphResponse(response.statusCode(), body, requestId, response.getHeader("Retry-After"), attempt,
        sentAt);
  }
}
