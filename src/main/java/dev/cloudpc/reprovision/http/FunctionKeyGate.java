package dev.cloudpc.reprovision.http;

import dev.cloudpc.reprovision.request.Problem;
import dev.cloudpc.reprovision.request.RequestScope;
import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;

/**
 * The local host's emulation of the Functions host's key check ({@code authLevel = FUNCTION}): with FUNCTION_KEY set,
 * a route needs {@code x-functions-key: <key>} or {@code ?code=<key>}. Under Azure the host checks keys itself.
 */
public final class FunctionKeyGate implements Handler<RoutingContext> {
  private final boolean active;

  public FunctionKeyGate(RequestOptions options) {
    this.active = options.functionKey().isPresent();
  }

  @Override
  public void handle(RoutingContext ctx) {
    if (active && !RequestScope.of(ctx).keyVerified()) {
      ctx.fail(Problem.of(401, "function-key-required", "Unauthorized", "This function needs its key: send the "
              + "header 'x-functions-key: <key>' or the query parameter '?code=<key>' (the local host prints the key "
              + "at start-up; in Azure: Function → Function Keys).")
          // Every 401 of the API carries the same challenge (RFC 7235 wants one), so clients handle them alike.
          .withHeader("WWW-Authenticate", Problem.bearerChallenge("the function key is missing or wrong; "
              + "send x-functions-key or ?code= in addition to the bearer token"))
          .exception());
      return;
    }
    ctx.next();
  }
}
