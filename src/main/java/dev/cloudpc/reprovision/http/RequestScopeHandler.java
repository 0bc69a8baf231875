package dev.cloudpc.reprovision.http;

import dev.cloudpc.reprovision.config.Secret;
import dev.cloudpc.reprovision.request.Deadline;
import dev.cloudpc.reprovision.request.Problem;
import dev.cloudpc.reprovision.request.RequestScope;
import io.vertx.core.Handler;
import io.vertx.core.MultiMap;
import io.vertx.ext.web.RoutingContext;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;

/**
 * First handler of every request: settles correlation ids and the deadline, decides whether a function key was
 * verified (by the Functions host, vouched for by the hand-over secret, or by the local host's emulation), and strips
 * hand-over headers that are not vouched for.
 */
public final class RequestScopeHandler implements Handler<RoutingContext> {
  private static final Pattern TRACEPARENT = Pattern.compile("^00-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$");

  private final RequestOptions options;
  private final Optional<Secret> handoverSecret;

  public RequestScopeHandler(RequestOptions options, Optional<Secret> handoverSecret) {
    this.options = options;
    this.handoverSecret = handoverSecret;
  }

  @Override
  public void handle(RoutingContext ctx) {
    MultiMap headers = ctx.request().headers();
    boolean handedOver = handoverSecret.map(s -> s.matches(headers.get(Handover.SECRET))).orElse(false);
    Duration budget = options.deadline();
    String invocationId = "local";
    boolean keyVerified = false;
    String origin = origin(ctx);
    // The caller's traceparent, unless the Functions host started the invocation's operation: lines then carry the
    // invocation's own trace context, which is what Application Insights groups by.
    Optional<String> callersTrace = validTraceparent(headers.get("traceparent"));
    Optional<String> traceparent = handedOver
        ? validTraceparent(headers.get(Handover.TRACEPARENT)).or(() -> callersTrace) : callersTrace;
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
    new RequestScope(clientRequestId, traceparent.orElseGet(RequestScopeHandler::newTraceparent), invocationId,
        Deadline.in(budget), origin, queryKey, keyVerified).attachTo(ctx);
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

  private static Optional<String> validTraceparent(String value) {
    return Optional.ofNullable(value).filter(t -> TRACEPARENT.matcher(t).matches());
  }

  private static Optional<Duration> parseBudget(String millis) {
    try {
      return millis == null ? Optional.empty() : Optional.of(Duration.ofMillis(Math.max(1, Long.parseLong(millis))));
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
  }

  private static String newTraceparent() {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    byte[] trace = new byte[16];
    byte[] span = new byte[8];
    random.nextBytes(trace);
    random.nextBytes(span);
    return "00-" + HexFormat.of().formatHex(trace) + "-" + HexFormat.of().formatHex(span) + "-01";
  }
}
