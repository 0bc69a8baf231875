package dev.cloudpc.reprovision.http;

import dev.cloudpc.reprovision.request.InvocationLog;
import dev.cloudpc.reprovision.request.Problem;
import dev.cloudpc.reprovision.request.ProblemException;
import dev.cloudpc.reprovision.request.RequestScope;
import io.vertx.core.Handler;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;

/**
 * Turns every failure into an {@code application/problem+json} answer and logs one line per refusal with the reason
 * and the caller's ids when known (never a token: problems are written without them), to the console and to the
 * Functions invocation that handed the request over ({@link InvocationLog}).
 */
public final class ProblemHandler implements Handler<RoutingContext> {
  private static final Logger LOG = LoggerFactory.getLogger(ProblemHandler.class);
  private static final String ROUTES = ApiRoutes.ALL.stream()
      .map(r -> r.method() + " " + r.path().replaceAll(":([A-Za-z]+)", "{$1}"))
      .collect(Collectors.joining(", "));

  private final Function<RoutingContext, Optional<JsonObject>> callerOf;

  /** {@code callerOf}: the ids of the request's caller once validated, for the log line (auth knows them, not http). */
  public ProblemHandler(Function<RoutingContext, Optional<JsonObject>> callerOf) {
    this.callerOf = callerOf;
  }

  @Override
  public void handle(RoutingContext ctx) {
    Problem problem = problemFor(ctx);
    RequestScope scope = RequestScope.of(ctx);
    JsonObject caller = callerOf.apply(ctx).orElse(null);
    String tag = scope == null ? "" : scope.logTag() + " ";
    boolean failed = problem.status() >= 500;
    String line = tag + ctx.request().method() + " " + ctx.request().path() + (failed ? " failed " : " refused ")
        + problem.status() + " " + problem.slug() + ": " + problem.detail() + " caller=" + caller;
    Throwable thrown = failed && !(ctx.failure() instanceof ProblemException) ? ctx.failure() : null;
    Level level = failed ? Level.WARN : Level.INFO;
    if (scope != null) {
      InvocationLog.log(LOG, level, scope, line, thrown);
    } else {
      LOG.atLevel(level).setCause(thrown).log(line);
    }
    Responses.problem(ctx, problem);
  }

  /** What RFC 9110 wants in a 405's Allow header: the methods the API's routes offer on this path. */
  static String allowedMethods(String path) {
    String trimmed = path.length() > 1 && path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
    return ApiRoutes.ALL.stream().filter(route -> route.matchesPath(trimmed))
        .map(route -> route.method().name()).distinct().sorted().collect(Collectors.joining(", "));
  }

  private static Problem problemFor(RoutingContext ctx) {
    Throwable failure = ctx.failure();
    if (failure instanceof ProblemException p) {
      return p.problem();
    }
    int status = ctx.statusCode();
    String path = ctx.request().path();
    return switch (status) {
      case 404 -> Problem.notFound("no-such-route", "No route matches " + ctx.request().method() + " " + path
          + ". Routes: " + ROUTES + ". The API definition is at GET /api/openapi.json.");
      case 405 -> {
        String allowed = allowedMethods(path);
        yield Problem.of(405, "method-not-allowed", "Method not allowed", ctx.request().method()
            + " is not allowed on " + path + "; it takes " + allowed + " (see GET /api/openapi.json).")
            .withHeader("Allow", allowed);
      }
      case 413 -> Problem.of(413, "body-too-large", "Payload too large", "The body exceeds 16 KiB; the only body "
          + "this API takes is {\"osVersion\":…, \"userAccountType\":…}.");
      case 400 -> Problem.badRequest("bad-request", "The request could not be read (malformed body or headers).");
      default -> status >= 400 && status < 500
          ? Problem.of(status, "http-" + status, "Client error", "The request was refused (HTTP " + status + ").")
          : Problem.of(500, "internal-error", "Internal error", "An unexpected error occurred; nothing further was "
              + "sent to Microsoft Graph. Quote the clientRequestId when reporting it.");
    };
  }
}
