package dev.cloudpc.reprovision.http;

import dev.cloudpc.reprovision.config.Secret;
import dev.cloudpc.reprovision.request.Deadline;
import dev.cloudpc.reprovision.request.Problem;
import dev.cloudpc.reprovision.request.RequestScope;
import dev.cloudpc.reprovision.telemetry.RequestSpan;
import dev.cloudpc.reprovision.telemetry.Telemetry;
import dev.cloudpc.reprovision.telemetry.TraceContexts;
import io.vertx.core.Handler;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.RoutingContext;
import java.time.Duration;
import java.util.Optional;

/**
 * First handler of every request: settles correlation ids and the deadline, decides whether a function key was
 * verified (by the Functions host, vouched for by the hand-over secret, or by the local host's emulation), strips
 * hand-over headers that are not vouched for, and starts the request's span as a child of the W3C
 * {@code traceparent} it came with (under the Functions host: the invocation's, set by the hand-over), ended when
 * the answer has gone. The span's context becomes the request's ambient trace for calls made below it.
 */
public final class RequestScopeHandler implements Handler<RoutingContext> {
  private final RequestOptions options;
  private final Optional<Secret> handoverSecret;
  private final Telemetry telemetry;

  public RequestScopeHandler(RequestOptions options, Optional<Secret> handoverSecret, Telemetry telemetry) {
    this.options = options;
    this.handoverSecret = handoverSecret;
    this.telemetry = telemetry;
  }

  @Override
  public void handle(RoutingContext ctx) {
    MultiMap headers = ctx.request().headers();
    boolean handedOver = handoverSecret.map(s -> s.matches(headers.get(Handover.SECRET))).orElse(false);
    Duration budget = options.deadline();
    String invocationId = "local";
    boolean keyVerified = false;
    String origin = origin(ctx);
    if (handedOver) {
      origin = Optional.ofNullable(headers.get(Handover.ORIGIN)).orElse(origin);
      invocationId = Optional.ofNullable(headers.get(Handover.INVOCATION_ID)).orElse(invocationId);
      budget = parseBudget(headers.get(Handover.DEADLINE_MS)).orElse(budget);
      keyVerified = "true".equals(headers.get(Handover.KEY_VERIFIED));
      if ("true".equals(headers.get(Handover.BODY_DROPPED))) {
        ctx.put(Handover.BODY_DROPPED, Boolean.TRUE);
      }
    }
    headers.names().stream().filter(n -> n.regionMatches(true, 0, Handover.PREFIX, 0, Handover.PREFIX.length()))
        .toList().forEach(headers::remove);
    String queryKey = ctx.request().getParam("code");
    if (!keyVerified && options.functionKey().isPresent()) {
      Secret key = options.functionKey().get();
      keyVerified = key.matches(headers.get("x-functions-key")) || key.matches(queryKey);
    }
    String clientRequestId = RequestScope.clientRequestId(headers.get("client-request-id"));
    HttpMethod method = ctx.request().method();
    String path = ctx.request().path();
    RequestSpan span = telemetry.request(method.name(), path, TraceContexts.extract(headers::get));
    span.attribute(RequestSpan.CLIENT_REQUEST_ID, clientRequestId);
    span.attribute(RequestSpan.INVOCATION_ID, handedOver ? invocationId : null);
    TraceContexts.attach(span.context());
    ctx.addEndHandler(done -> span.end(ctx.response().getStatusCode(),
        () -> ApiRoutes.of(method, path).map(ApiRoute::template).orElse(null)));
    new RequestScope(clientRequestId, span.traceparent(), invocationId, Deadline.in(budget), origin, queryKey,
        keyVerified, span.context()).attachTo(ctx);
    ctx.response().putHeader("client-request-id", clientRequestId);
    if (handoverSecret.isPresent() && !handedOver) {
      // Under the Functions host the router's loopback port is not an entrance: requests come through the host.
      ctx.fail(Problem.unauthorized("Call the function through its Azure Functions URL.")
          .withHeader("WWW-Authenticate", Problem.bearerChallenge("not through the Functions host"))
          .exception());
      return;
    }
    ctx.next();
  }

  private static String origin(RoutingContext ctx) {
    String host = ctx.request().authority() == null ? null : ctx.request().authority().toString();
    return ctx.request().scheme() + "://" + (host == null ? "127.0.0.1" : host);
  }

  private static Optional<Duration> parseBudget(String millis) {
    try {
      return millis == null ? Optional.empty() : Optional.of(Duration.ofMillis(Math.max(1, Long.parseLong(millis))));
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
  }
}
