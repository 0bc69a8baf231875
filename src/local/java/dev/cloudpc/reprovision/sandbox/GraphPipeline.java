package dev.cloudpc.reprovision.sandbox;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * What happens to every Graph request, in order: read the body, record, check the token and User-Agent (Graph's
 * gateway does this before anything else), apply a matching fault, run the route, and answer after the configured
 * latency. Delays are Vert.x timers: nothing here blocks the event loop.
 */
final class GraphPipeline implements Handler<HttpServerRequest> {

  private static final System.Logger LOG = System.getLogger(GraphPipeline.class.getName());
  private static final Map<String, String> WWW_AUTHENTICATE = Map.of("WWW-Authenticate",
      "Bearer realm=\"\", authorization_uri=\"https://login.microsoftonline.com/common/oauth2/authorize\","
          + " client_id=\"00000003-0000-0000-c000-000000000000\"");

  private final Vertx vertx;
  private final GraphRoutes routes;
  private final FaultPlan faults;
  private final RequestRecorder recorder;
  private final GraphThrottle throttle;
  private volatile Predicate<String> tokenCheck;
  private volatile Duration latency;

  GraphPipeline(Vertx vertx, GraphRoutes routes, FaultPlan faults, RequestRecorder recorder, GraphThrottle throttle,
                Predicate<String> tokenCheck, Duration latency) {
    this.vertx = vertx;
    this.routes = routes;
    this.faults = faults;
    this.recorder = recorder;
    this.throttle = throttle;
    this.tokenCheck = tokenCheck;
    this.latency = latency;
  }

  void tokenCheck(Predicate<String> check) {
    tokenCheck = check;
  }

  void latency(Duration value) {
    latency = value;
  }

  Duration latency() {
    return latency;
  }

  @Override
  public void handle(HttpServerRequest request) {
    request.body()
        .map(body -> IncomingGraphRequest.of(request, body))
        .onSuccess(call -> serve(request, call))
        .onFailure(error -> LOG.log(System.Logger.Level.DEBUG, "Graph request body could not be read", error));
  }

  private void serve(HttpServerRequest request, IncomingGraphRequest call) {
    recorder.record(call);
    GraphAnswer refusal = gate(call);
    if (refusal == null) {
      refusal = throttled(call);
    }
    if (refusal != null) {
      answer(request, call, refusal, Duration.ZERO);
      return;
    }
    Fault fault = faults.pick(call.method(), call.path()).orElse(null);
    if (fault == null) {
      answer(request, call, run(call), Duration.ZERO);
    } else if (fault instanceof Fault.StatusFault status) {
      if (status.executeFirst()) {
        run(call);
      }
      answer(request, call, GraphErrorBody.of(call, status.status(), status.code(),
          "Sandbox fault: " + status.status() + " " + status.code() + ".", status.headers()), Duration.ZERO);
    } else if (fault instanceof Fault.ResetFault reset) {
      if (reset.executeFirst()) {
        run(call);
      }
      pause(latency).onComplete(ignored -> request.connection().close());
    } else if (fault instanceof Fault.DelayFault delay) {
      answer(request, call, run(call), delay.delay());
    }
  }

  /** 401 without an accepted bearer token, 403 without a User-Agent (Cloud PC endpoints insist on one). */
  private GraphAnswer gate(IncomingGraphRequest call) {
    String token = call.bearerToken();
    if (token == null) {
      return GraphErrorBody.of(call, 401, "InvalidAuthenticationToken", "Access token is empty.", WWW_AUTHENTICATE);
    }
    if (!accepted(token)) {
      return GraphErrorBody.of(call, 401, "InvalidAuthenticationToken", "Access token validation failure.",
          WWW_AUTHENTICATE);
    }
    String userAgent = call.headers().get("User-Agent");
    if (userAgent == null || userAgent.isBlank()) {
      return GraphErrorBody.of(call, 403, "Forbidden",
          "A User-Agent header is required for Cloud PC requests. Send a User-Agent that names your application.");
    }
    return null;
  }

  /** Windows 365's documented limits, counted per app (app-only tokens) or per user (delegated ones). */
  private GraphAnswer throttled(IncomingGraphRequest call) {
    JsonObject claims = call.tokenClaims();
    String caller = claims.getValue("scp") instanceof String ? "user:" + claims.getValue("oid")
        : "app:" + (claims.getValue("appid") instanceof String appId ? appId : claims.getValue("azp"));
    GraphThrottle.Verdict verdict = throttle.admit(call.method(), call.path(), caller, System.nanoTime());
    return verdict.allowed() ? null : GraphErrorBody.of(call, 429, "TooManyRequests", verdict.message(),
        Map.of("Retry-After", Long.toString(verdict.retryAfterSeconds())));
  }

  private boolean accepted(String token) {
    try {
      return tokenCheck.test(token);
    } catch (RuntimeException e) {
      LOG.log(System.Logger.Level.DEBUG, "Token check threw; treating the token as invalid", e);
      return false;
    }
  }

  private GraphAnswer run(IncomingGraphRequest call) {
    try {
      return routes.dispatch(call);
    } catch (RuntimeException e) {
      LOG.log(System.Logger.Level.WARNING, "Sandbox Graph route failed: " + call.method() + " " + call.path(), e);
      return GraphErrorBody.of(call, 500, "InternalServerError", "The sandbox failed: " + e);
    }
  }

  private void answer(HttpServerRequest request, IncomingGraphRequest call, GraphAnswer answer, Duration extraDelay) {
    pause(latency.plus(extraDelay)).onComplete(ignored -> write(request.response(), call, answer));
  }

  private Future<Void> pause(Duration delay) {
    long millis = delay.toMillis();
    return millis <= 0 ? Future.succeededFuture() : vertx.timer(millis, TimeUnit.MILLISECONDS);
  }

  private static void write(HttpServerResponse response, IncomingGraphRequest call, GraphAnswer answer) {
    if (response.ended() || response.closed()) {
      return; // the client gave up during a delay
    }
    response.setStatusCode(answer.status())
        .putHeader("request-id", call.requestId())
        .putHeader("client-request-id", call.clientRequestId())
        .putHeader("Date", DateTimeFormatter.RFC_1123_DATE_TIME.format(ZonedDateTime.now(ZoneOffset.UTC)));
    answer.headers().forEach(response::putHeader);
    if (answer.body() == null) {
      response.end();
    } else {
      response.end(answer.body());
    }
  }
}
