package dev.cloudpc.reprovision.http;

import dev.cloudpc.reprovision.request.Problem;
import dev.cloudpc.reprovision.request.RequestScope;
import io.vertx.core.Future;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/** Writing answers: JSON bodies and problems, with Graph's {@code request-id} passed on when known. */
public final class Responses {
  private Responses() {
  }

  public static Future<Void> json(RoutingContext ctx, int status, JsonObject body) {
    return ctx.response().setStatusCode(status).putHeader("Content-Type", "application/json").end(body.encode());
  }

  public static Future<Void> problem(RoutingContext ctx, Problem problem) {
    HttpServerResponse response = ctx.response();
    if (response.headWritten()) {
      return Future.succeededFuture();
    }
    problem.headers().forEach(response::putHeader);
    String graphRequestId = problem.extensions().getString("graphRequestId");
    if (graphRequestId != null) {
      response.putHeader("request-id", graphRequestId);
    }
    RequestScope scope = RequestScope.of(ctx);
    JsonObject body = problem.toJson();
    if (scope != null) {
      body.put("clientRequestId", scope.clientRequestId());
    }
    return response.setStatusCode(problem.status()).putHeader("Content-Type", Problem.CONTENT_TYPE)
        .end(body.encode());
  }
}
